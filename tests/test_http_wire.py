"""cef_logging._http_wire: URL parsing, credential redaction, header checks."""

from __future__ import annotations

import pytest

from cef_logging._http_wire import check_headers, parse_url


@pytest.mark.parametrize(
    ("url", "redacted", "authorization"),
    [
        ("http://h/", "http://h/", None),
        ("https://u:p@h:8443/x?q=1", "https://***@h:8443/x?q=1", "Basic dTpw"),
        ("https://token@h/", "https://***@h/", "Basic dG9rZW46"),
        ("http://u:p%3A%40@[::1]:8080/", "http://***@[::1]:8080/", "Basic dTpwOkA="),
    ],
)
def test_credentials_become_basic_auth_and_never_show(
    url: str, redacted: str, authorization: str | None
) -> None:
    target = parse_url(url)
    assert target.redacted == redacted
    assert target.authorization == authorization


@pytest.mark.parametrize("url", ["ftp://u:secret@h/", "http://u:secret@h:99999/", "h/x"])
def test_bad_urls_name_the_option_and_hide_the_password(url: str) -> None:
    with pytest.raises(ValueError, match=r"^url: ") as info:
        parse_url(url)
    assert "secret" not in str(info.value)


def test_valid_headers_pass() -> None:
    check_headers({"Authorization": "Bearer a.b-c_d~e+f/g=", "X-Latin": "caf\u00e9", "T": "a\tb"})
