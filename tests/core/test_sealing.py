import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from procurement.core import checks, sealing


def test_sealed_bytes_open_only_with_the_same_associated_data():
    sealed = sealing.seal_bytes(b"42.00", associated_data="bid|tender:1|lot:1|bid:1")
    assert sealing.unseal_bytes(sealed, associated_data="bid|tender:1|lot:1|bid:1") == b"42.00"
    with pytest.raises(sealing.SealingError):
        sealing.unseal_bytes(sealed, associated_data="bid|tender:1|lot:1|bid:2")


def test_a_tampered_ciphertext_does_not_open():
    sealed = sealing.seal_bytes(b"42.00", associated_data="x")
    tampered = sealing.Sealed(sealed.key_id, sealed.ciphertext[:-1] + bytes([sealed.ciphertext[-1] ^ 1]))
    with pytest.raises(sealing.SealingError):
        sealing.unseal_bytes(tampered, associated_data="x")


def test_key_ring_parsing_refuses_short_or_garbled_keys():
    good = base64.b64encode(bytes(32)).decode()
    assert list(sealing.parse_key_ring(f"new:{good}, old:{good}\n# comment")) == ["new", "old"]
    with pytest.raises(ImproperlyConfigured):
        sealing.parse_key_ring(f"k:{base64.b64encode(bytes(16)).decode()}")
    with pytest.raises(ImproperlyConfigured):
        sealing.parse_key_ring("k:not base64!")


def test_key_ring_file_is_created_once_and_private(tmp_path):
    path = tmp_path / "var" / "sealing.keys"
    assert sealing.create_key_ring_file(path) is True
    assert sealing.create_key_ring_file(path) is False
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(sealing.read_key_ring_file(path)) == 1


def test_deployment_check_refuses_to_run_without_a_key(settings):
    settings.SEALING_KEYS = {}
    assert [message.id for message in checks.sealing_keys_configured_for_deployment(None)] == ["core.E001"]
    assert [message.id for message in checks.sealing_keys_configured(None)] == ["core.W001"]
    with pytest.raises(ImproperlyConfigured):
        sealing.seal_bytes(b"x", associated_data="x")
