import hmac

from monitor.pseudonym import Pseudonymiser


def test_matches_standard_hmac_sha256_of_the_lower_cased_address():
    for key in (b"k" * 32, b"short", b"x" * 100):
        expected = hmac.new(key, b"o.kovalenko@lyceum7.example.org", "sha256").hexdigest()[:32]
        assert Pseudonymiser(key).one("  O.Kovalenko@Lyceum7.example.org ") == expected


def test_another_key_gives_another_pseudonym():
    assert Pseudonymiser(b"k" * 32).one("a@x.org") != Pseudonymiser(b"j" * 32).one("a@x.org")
