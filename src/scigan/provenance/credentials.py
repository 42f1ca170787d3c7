"""C2PA Content Credentials for synthetic images: a signed manifest saying a trained model made them.

Each PNG scigan samples carries a C2PA manifest (c2pa-python) whose ``c2pa.created``
action has ``digitalSourceType`` trainedAlgorithmicMedia (IPTC) and whose
``org.scigan.provenance`` assertion holds the run's marks (run id, step, config hash,
version, model). It is signed with the user's key and certificate chain, or with a local
one made on first use under ``$SCIGAN_HOME/c2pa`` (default ``~/.config/scigan/c2pa``):
c2pa refuses a self-signed leaf, so that is a small local CA (``root.pem``, its key
discarded) and an ES256 signer (``signer.pem`` chain, ``signer.key`` mode 0600). Readers
report such files' signature as valid but untrusted until ``root.pem`` is added to
their trust list.
"""

from __future__ import annotations

import datetime
import io
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scigan.errors import ScienceError, brief

#: The IPTC digital source type of everything a GAN draws.
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
#: The manifest assertion that holds scigan's marks.
ASSERTION = "org.scigan.provenance"
#: Environment variable naming scigan's home folder (default ``~/.config/scigan``).
HOME_ENV = "SCIGAN_HOME"
#: What to install for C2PA.
INSTALL = "pip install 'scigan[provenance]' (or: pip install c2pa-python)"
#: The media type c2pa reads each image ending as (others: TIFF).
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: c2pa settings: no thumbnail in the manifest, no network when reading.
_SETTINGS = {"builder": {"thumbnail": {"enabled": False}}, "verify": {"remote_manifest_fetch": False}}


@dataclass(frozen=True)
class Credentials:
    """A signing key and its certificate chain (PEM bytes, leaf first) and the C2PA
    algorithm name they sign with (ES256, ES384, ES512, PS256 or ED25519)."""

    key_pem: bytes
    cert_pem: bytes
    alg: str
    source: str


def c2pa_home() -> Path:
    """The folder of the local signing credentials: ``$SCIGAN_HOME/c2pa`` or ``~/.config/scigan/c2pa``."""
    home = os.environ.get(HOME_ENV)
    return (Path(home).expanduser() if home else Path.home() / ".config" / "scigan") / "c2pa"


def available() -> bool:
    """True when c2pa-python is installed (images are then signed by default)."""
    try:
        import c2pa  # noqa: F401
    except ImportError:
        return False
    return True


def load_credentials(key: Path | None = None, cert: Path | None = None) -> Credentials:
    """The user's ``key`` (unencrypted PEM private key) and ``cert`` (PEM chain, leaf
    first), or the local credentials (made on first use) when both are None; checked by
    signing a 1×1 PNG, so a certificate c2pa refuses is named before any work is done."""
    try:
        import c2pa  # noqa: F401
    except ImportError:
        raise ScienceError(f"C2PA signing needs c2pa-python: {INSTALL}") from None
    if (key is None) != (cert is None):
        raise ScienceError("give --c2pa-key and --c2pa-cert together (a PEM private key and its certificate chain)")
    if key is None or cert is None:
        key, cert = local_credentials()
    key_pem, cert_pem = _read_pem(Path(key), "--c2pa-key"), _read_pem(Path(cert), "--c2pa-cert")
    credentials = Credentials(key_pem, cert_pem, _algorithm(key_pem, cert_pem, Path(key), Path(cert)), str(cert))
    from PIL import Image

    probe = io.BytesIO()
    Image.new("L", (1, 1)).save(probe, format="PNG")
    sign_bytes(probe.getvalue(), "image/png", {}, credentials)
    return credentials


def _read_pem(path: Path, flag: str) -> bytes:
    try:
        data = path.expanduser().read_bytes()
    except OSError as err:
        raise ScienceError(f"{flag} {path} cannot be read ({brief(err)})") from None
    if b"-----BEGIN" not in data:
        raise ScienceError(f"{flag} {path} is not a PEM file (it has no '-----BEGIN' line)")
    return data


def _algorithm(key_pem: bytes, cert_pem: bytes, key: Path, cert: Path) -> str:
    """The C2PA algorithm of the private key, after checking the chain's leaf holds its public key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise ScienceError(f"--c2pa-key {key} is encrypted; give an unencrypted PEM key (mode 0600)") from None
    except ValueError as err:
        raise ScienceError(f"--c2pa-key {key} is not a PEM private key ({brief(err)})") from None
    try:
        leaf = x509.load_pem_x509_certificates(cert_pem)[0]
    except ValueError as err:
        raise ScienceError(f"--c2pa-cert {cert} is not a PEM certificate chain ({brief(err)})") from None
    raw = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if leaf.public_key().public_bytes(*raw) != private.public_key().public_bytes(*raw):
        raise ScienceError(f"--c2pa-key {key} does not match the first certificate of --c2pa-cert {cert}")
    if isinstance(private, ec.EllipticCurvePrivateKey):
        curves = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
        if private.curve.name not in curves:
            raise ScienceError(f"--c2pa-key {key}: C2PA signs with P-256, P-384 or P-521, not {private.curve.name}")
        return curves[private.curve.name]
    if isinstance(private, rsa.RSAPrivateKey):
        return "PS256"
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return "ED25519"
    raise ScienceError(f"--c2pa-key {key}: C2PA signs with EC, RSA or Ed25519 keys, not {type(private).__name__}")


def local_credentials() -> tuple[Path, Path]:
    """The local (key, certificate chain) paths under :func:`c2pa_home`, made on first
    use: a P-256 root CA (its key discarded) and an ES256 signer it issued."""
    folder = c2pa_home()
    key, cert = folder / "signer.key", folder / "signer.pem"
    if key.is_file() and cert.is_file():
        return key, cert
    if folder.exists():
        raise ScienceError(f"{folder} lacks signer.key or signer.pem; remove the folder to make new credentials")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".c2pa.{secrets.token_hex(4)}")
    tmp.mkdir(mode=0o700)
    try:
        root, key_pem, chain = _local_ca()
        (tmp / "root.pem").write_bytes(root)
        (tmp / "signer.pem").write_bytes(chain)
        fd = os.open(tmp / "signer.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key_pem)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (key.is_file() and cert.is_file()):  # another process made them meanwhile: use those
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return key, cert


def _local_ca() -> tuple[bytes, bytes, bytes]:
    """A fresh root CA and an ES256 signer it issued: (root PEM, signer key PEM, chain PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        attributes = [(NameOID.COMMON_NAME, common), (NameOID.ORGANIZATION_NAME, "scigan")]
        return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])

    def usage(**on: bool) -> x509.KeyUsage:
        flags = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement")
        more = ("key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
        return x509.KeyUsage(**{f: on.get(f, False) for f in flags + more})

    now = datetime.datetime.now(datetime.UTC)
    root_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = name(f"scigan local root {secrets.token_hex(4)}")

    def issue(subject: x509.Name, public: Any, ca: bool) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root_name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    root = (
        issue(root_name, root_key.public_key(), True)
        .add_extension(usage(key_cert_sign=True, crl_sign=True, digital_signature=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        issue(name("scigan local signer"), signer_key.public_key(), False)
        .add_extension(usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = signer_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    root_pem = root.public_bytes(pem)
    return root_pem, key_pem, leaf.public_bytes(pem) + root_pem


def manifest(marks: dict[str, str], title: str = "") -> dict[str, Any]:
    """The C2PA manifest definition for a synthetic image with provenance ``marks``
    (``scigan:*`` keys; stored without the prefix in the :data:`ASSERTION` assertion)."""
    from scigan import __version__

    fields = {k.removeprefix("scigan:"): str(v) for k, v in marks.items() if k.startswith("scigan:")}
    created = {
        "action": "c2pa.created",
        "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
        "softwareAgent": {"name": "scigan", "version": fields.get("version", __version__)},
    }
    return {
        "claim_generator_info": [{"name": "scigan", "version": fields.get("version", __version__)}],
        **({"title": title} if title else {}),
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [created]}},
            {"label": ASSERTION, "data": fields},
        ],
    }


def sign_bytes(data: bytes, mime: str, marks: dict[str, str], credentials: Credentials, title: str = "") -> bytes:
    """The file ``data`` (of type ``mime``, e.g. image/png) with a signed manifest for
    ``marks`` embedded; ScienceError when c2pa refuses the credentials."""
    import c2pa

    try:
        alg = getattr(c2pa.C2paSigningAlg, credentials.alg)
        info = c2pa.C2paSignerInfo(alg, credentials.cert_pem, credentials.key_pem, None)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest(marks, title), _context()) as builder:
            out = io.BytesIO()
            builder.sign(signer, mime, io.BytesIO(data), out)
    except c2pa.C2paError as err:
        raise ScienceError(
            f"c2pa cannot sign with {credentials.source} ({brief(err)}); it needs a chain (leaf first) whose "
            "leaf is not self-signed, with digitalSignature key usage and emailProtection or documentSigning "
            "extended key usage"
        ) from None
    return out.getvalue()


def _context() -> Any:
    import c2pa

    return c2pa.Context.from_dict(_SETTINGS)


def read_manifest(path: Path) -> dict[str, str] | None:
    """What the active C2PA manifest of the file ``path`` says ({key: text}:
    digitalSourceType, claim_generator, signer, validation, and the scigan assertion's
    run_id, step, config_hash, ...), None when it carries none."""
    import c2pa

    with open(path, "rb") as f:
        data = f.read()
    mime = _MIME.get(Path(path).suffix.lower(), "image/tiff")
    try:
        reader = c2pa.Reader(mime, io.BytesIO(data), context=_context())
    except c2pa.C2paError.ManifestNotFound:
        return None
    with reader:
        active = reader.get_active_manifest() or {}
        state = reader.get_validation_state() or ""
    found: dict[str, str] = {}
    for assertion in active.get("assertions", []):
        data_ = assertion.get("data", {})
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in data_.get("actions", []):
                if "digitalSourceType" in action:
                    found.setdefault("digitalSourceType", str(action["digitalSourceType"]))
        elif assertion.get("label") == ASSERTION and isinstance(data_, dict):
            found.update({str(k): str(v) for k, v in data_.items()})
    generators = active.get("claim_generator_info") or []
    if generators:
        found["claim_generator"] = " ".join(str(generators[0].get(k, "")) for k in ("name", "version")).strip()
    signer = active.get("signature_info", {})
    if signer:
        found["signer"] = str(signer.get("common_name") or signer.get("issuer") or "")
    if state:
        found["validation"] = state
    return found or None


def image_options(
    kind: str,
    marker: dict[str, str] | None,
    *,
    watermark: bool = False,
    key: Path | None = None,
    cert: Path | None = None,
) -> dict[str, Any]:
    """What ``save_images`` adds for a run of data kind ``kind`` with run marker
    ``marker`` ({"id": run id, ...}): ``credentials`` (the user's ``key`` and ``cert``,
    else the local ones, whenever c2pa-python is installed) and, with ``watermark``,
    the run id's first 8 hex digits as ``watermark``. {} for kinds whose samples are no
    pictures (:attr:`~scigan.modalities.DataKind.pictures`), which refuse
    the flags (ScienceError)."""
    from scigan.modalities import get_kind

    if not get_kind(kind).pictures:
        if watermark or key is not None or cert is not None:
            raise ScienceError(f"--watermark, --c2pa-key and --c2pa-cert mark images, not {kind}; drop them")
        return {}
    options: dict[str, Any] = {}
    if key is not None or cert is not None or available():
        options["credentials"] = load_credentials(key, cert)
    if watermark:
        run_id = (marker or {}).get("id", "")
        if len(run_id) < 8:
            raise ScienceError("--watermark carries the run id, and this run has none (it predates run ids)")
        options["watermark"] = run_id[:8]
    return options
