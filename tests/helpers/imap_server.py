"""A real IMAP server for the inbox's tests: Dovecot from the operating system's packages,
started in a scratch folder on a free port, IMAP over TLS only, one mailbox user."""

from __future__ import annotations

import datetime
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER = "efax"
PASSWORD = "fax-mailbox-secret"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    ca_file: Path

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context)
        client.login(self.user, self.password)
        return client

    def deliver(self, message: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.append(folder, "", imaplib.Time2Internaldate(time.time()), message)
        finally:
            client.logout()


def dovecot_program() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@contextmanager
def running_dovecot(folder: Path) -> Iterator[ImapServer]:
    program = dovecot_program()
    if program is None:
        raise RuntimeError("Dovecot is not installed (Debian: apt install dovecot-imapd)")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    cert, key = _certificate(folder)
    port = _free_port()
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    # Dovecot never runs a mailbox as root: the mail lives in a folder of its own that
    # the unprivileged account "nobody" owns, outside the private test folder.
    home = Path(tempfile.mkdtemp(prefix="frontdesk-imap-"))
    home.chmod(0o755)
    nobody = pwd.getpwnam("nobody")
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
instance_name = frontdesk-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{home}/%u/Maildir
passdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
# The scratch folder is private to this account (tests run as root in CI): the
# password file is read as root too.
service auth {{
  user = root
}}
service auth-worker {{
  user = root
}}
service imap-login {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    # In the foreground, so the test owns the process and stops it.
    process = subprocess.Popen(
        [program, "-F", "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log = (folder / "dovecot.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"Dovecot did not start: {log}") from None
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, cert)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(home, ignore_errors=True)
