import hmac

import polars as pl

from monitor.pseudonym import Pseudonymiser


def test_matches_standard_hmac_sha256_of_the_lower_cased_address():
    for key in (b"k" * 32, b"short", b"x" * 100):
        expected = hmac.new(key, b"o.kovalenko@lyceum7.example.org", "sha256").hexdigest()[:32]
        assert Pseudonymiser(key).one("  O.Kovalenko@Lyceum7.example.org ") == expected


def test_column_keeps_order_and_nulls_empty_addresses():
    p = Pseudonymiser(b"k" * 32)
    out = p.column(pl.Series(["b@x.org", None, "", "A@x.org", "a@x.org"]))
    assert out.to_list() == [p.one("b@x.org"), None, None, p.one("a@x.org"), p.one("a@x.org")]
    assert p.one("a@x.org") != Pseudonymiser(b"j" * 32).one("a@x.org")
