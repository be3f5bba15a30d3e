"""The fast paths for phones and emails give the libraries' own verdicts, on random input."""

import random

import pytest

from functions.core import values
from functions.core.values import CellError


def verdict(read, *args):
    try:
        return read(*args)
    except CellError:
        return "invalid"


def random_phone_texts(rng, count):
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
        shape = rng.randrange(6)
        if shape == 0:
            yield "0" + digits
        elif shape == 1:
            yield "+84" + digits
        elif shape == 2:
            yield "0" + " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
        elif shape == 3:
            yield "(+84) " + ".".join(digits[i : i + 3] for i in range(0, len(digits), 3))
        elif shape == 4:
            yield "0" + rng.choice("35789") + digits[:8]
        else:
            yield "02" + digits[:9]


@pytest.mark.parametrize("region", ["VN", "GB", "US"])
def test_phone_fast_path_matches_phonenumbers(region):
    rng = random.Random(region)
    checked = 0
    for text in random_phone_texts(rng, 4000):
        assert verdict(values.read_phone, text, region) == verdict(values._read_phone_library, text, region), text
        checked += 1
    for _ in range(3000):  # typed as numbers: the leading zero is gone
        number = rng.randrange(10**6, 10**11)
        assert verdict(values.read_phone, number, region) == verdict(values._read_phone_library, str(number), region), (
            number
        )
    assert checked == 4000


def random_emails(rng, count):
    atoms = ["lan", "nguyen.van.a", "a+tag", "o'brien", "x_y", "UPPER", "a-b", "1", "%", "{x}"]
    domains = [
        "example.com",
        "Example.VN",
        "mail.co.uk",
        "a-b.vn",
        "ab--cd.com",
        "x.test",
        "y.local",
        "z.localhost",
        "sub.onion",
        "1.2.3.4",
        "a.b",
        "x.y1",
        "-bad.vn",
        "bad-.vn",
        "a" * 64 + ".vn",
        "gmail.com",
    ]
    for _ in range(count):
        local = ".".join(rng.choice(atoms) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.05:
            local = "x" * rng.randint(60, 70)
        yield f"{local}@{rng.choice(domains)}"


def test_email_fast_path_matches_email_validator():
    rng = random.Random(2)
    for text in random_emails(rng, 5000):
        assert verdict(values.read_email, text) == verdict(values._read_email_library, text), text
