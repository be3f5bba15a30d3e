"""Issue 36: theme suggestions — the words of the last 30 days no theme covers, ranked by how
characteristic they are (frequent here, rarer in ordinary Vietnamese), never a function word."""

from datetime import date, timedelta

from functions.adapters.vietnamese import lexicon
from functions.core.theme_suggestions import add_words, content_words, suggestions
from functions.core.theme_tab import read_theme_tab
from functions.core.themes import Matcher

TODAY = date(2026, 11, 25)
PHONE_SHOP = [
    "Máy chơi game mượt lắm ạ, pin trâu",
    "Chơi game không bị lag, máy mát",
    "Mua máy ở đây dùng ổn, game mượt",
    "máy mới mua 1 tuần đã lag, đơ quá",
    "Máy dùng được, nhưng chơi game hơi lag",
    "mình mua máy cho con chơi game, rất mượt",
    "ko dc tặng ốp lưng, máy dùng tạm",
    "Shop ơi, máy mua hôm qua sạc không vào",
    "sạc nhanh, camera chụp đẹp, mua lần hai",
]


def suggested(texts, days_ago=0):
    words, matcher = lexicon(), Matcher(read_theme_tab(None).themes, lexicon())
    covered = matcher.covers
    heard = [(TODAY - timedelta(days=days_ago), content_words(words.tagged(t), covered), t, "C-1") for t in texts]
    days = {k: v for k, v in add_words({}, heard, TODAY).items() if v}
    return suggestions(days, TODAY, words.zipf, covered)


def test_a_phone_shop_sees_its_own_words_above_ordinary_ones_and_never_a_function_word():
    found = [s.words for s in suggested(PHONE_SHOP)]
    rank = {w: i for i, w in enumerate(found)}
    assert {"game", "lag", "mượt"} <= set(found)
    for ordinary in ("máy", "mua", "dùng"):  # common in any Vietnamese: below the shop's own words
        assert rank.get(ordinary, len(found)) > max(rank["game"], rank["lag"], rank["mượt"])
    for function_word in ("không", "được", "rất", "thì", "là", "mà", "ko", "dc", "ạ", "ơi", "lắm", "hơi", "quá"):
        assert function_word not in found
    assert "shop" not in found or rank["shop"] > rank["game"]
    game = next(s for s in suggested(PHONE_SHOP) if s.words == "game")
    assert game.texts == 5 and "game" in game.example.lower()


def test_words_a_theme_covers_are_not_suggested_and_old_days_fall_out():
    found = [s.words for s in suggested(["Nhân viên nhiệt tình, game rất mượt", "nhân viên vui vẻ, chơi game mượt"])]
    assert "nhân viên" not in found and "nhiệt tình" not in found  # the starter themes have them
    assert "game" in found
    assert suggested(PHONE_SHOP, days_ago=31) == []  # past the 30 days


def test_words_typed_without_diacritics_are_as_common_as_their_commonest_reading():
    """A third of chat is typed without diacritics; wordfreq lists Vietnamese as written, so "dau"
    (đâu, đau, dầu) would look rare and top the list. It is read as its commonest reading."""
    words = lexicon()
    assert words.zipf("dau") >= words.zipf("đau") and words.zipf("may dung") > 4
    plain = ["may moi mua da lag, dau dau qua", "choi game hoi lag, may nong", "game muot, may dung on",
             "may bi lag khi choi game, dau long", "mua may ve choi game muot lam"]  # fmt: skip
    found = [s.words for s in suggested(plain)]
    assert found[0] == "game" and "dau" not in found  # "may" (máy), "mua", "chơi": ordinary, below it
