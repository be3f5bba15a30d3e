"""A real IMAP server for tests: Dovecot in the foreground with its own config on 127.0.0.1, its
login processes not root (dovenull), the mailbox owned by the `dovecot` user; messages arrive by
writing files into Maildir/new, as a delivery agent does. Stopped by its own PID."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from tests.helpers.firestore_emulator import missing
from tests.helpers.processes import start_group, stop_group

INSTALL = "Dovecot answers IMAP in the tests: `apt-get install -y dovecot-imapd`"
USER, PASSWORD = "careloop", "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""

pause = time.sleep  # between polls of a server coming up (a test may make it fail)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self) -> None:
        binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
        if binary is None:
            missing(INSTALL)
        self.binary = str(binary)
        self.port = free_port()
        # Not under pytest's tmp_path: its folders are private to root, and Dovecot's processes are not root.
        self.root = Path(tempfile.mkdtemp(prefix="careloop-dovecot-", dir="/tmp"))
        self.process: subprocess.Popen | None = None

    @property
    def maildir(self) -> Path:
        return self.root / "home" / USER / "Maildir"

    def __enter__(self) -> Dovecot:
        os.chmod(self.root, 0o755)
        for sub in ("run", "state", "home", f"home/{USER}/Maildir/new", f"home/{USER}/Maildir/cur",
                    f"home/{USER}/Maildir/tmp"):  # fmt: skip
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(CONFIG.format(root=self.root, port=self.port))
        self._own(self.root / "home")
        self.process = start_group([self.binary, "-F", "-c", str(self.root / "dovecot.conf")])
        try:
            self._wait_until_ready()
        except BaseException:  # `with` calls __exit__ only once __enter__ returned: whatever stops the wait stops it
            self.__exit__()
            raise
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    if connection.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
                raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{self.port}: {log[-2000:]}")
            pause(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_group(self.process)
        shutil.rmtree(self.root, ignore_errors=True)

    def deliver(self, raw: bytes, at: datetime | None = None) -> Path:
        """A message into the mailbox, as a delivery agent writes it: tmp/, then a rename into new/;
        received `at` (the file's time is its INTERNALDATE in a Maildir), else now."""
        name = f"{time.time():.6f}.{uuid.uuid4().hex}.careloop-test"
        draft = self.maildir / "tmp" / name
        draft.write_bytes(raw)
        if at is not None:
            os.utime(draft, (at.timestamp(), at.timestamp()))
        self._own(draft)
        final = self.maildir / "new" / name
        draft.rename(final)
        return final

    @staticmethod
    def _own(path: Path) -> None:
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        for folder, dirs, files in os.walk(path) if path.is_dir() else [(str(path.parent), [], [path.name])]:
            if path.is_dir():
                os.chown(folder, uid, gid)
            for name in dirs + files:
                os.chown(os.path.join(folder, name), uid, gid)
