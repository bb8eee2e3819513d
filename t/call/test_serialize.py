"""Parameter serialization against the OpenAPI 3.1.2 / 3.0.4 text.

The first tests reproduce the "Style Examples" table cell by cell; the rest
pin down the choices the spec leaves open, with exact expected strings.
"""
import datetime

import pytest

from openapi_dyn._call.serialize import cookie_param, form_urlencoded, header_param, path_param, query_param

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


def q(pairs):
    """Join query pairs the way the caller does."""
    return "&".join(f"{k}={v}" for k, v in pairs)


# --------------------------------------------------------- spec style table
# (style, explode, string, array, object); None marks an n/a cell.
PATH_TABLE = [
    ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
    ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
]

QUERY_TABLE = [
    ("form", False, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
    ("form", True, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"),
    ("spaceDelimited", False, None, "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, None, "color=blue%7Cblack%7Cbrown", "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, None, None, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]


def _cells(table):
    for style, explode, *expected in table:
        for value, want in zip((STRING, ARRAY, OBJECT), expected):
            if want is not None:
                kind = type(value).__name__
                yield pytest.param(style, explode, value, want, id=f"{style}-{explode}-{kind}")


@pytest.mark.parametrize("style, explode, value, want", list(_cells(PATH_TABLE)))
def test_spec_table_path(style, explode, value, want):
    assert path_param("color", value, style, explode) == want


@pytest.mark.parametrize("style, explode, value, want", list(_cells(QUERY_TABLE)))
def test_spec_table_query(style, explode, value, want):
    assert q(query_param("color", value, style, explode)) == want


@pytest.mark.parametrize("explode, value, want", [
    (False, STRING, "blue"),
    (False, ARRAY, "blue,black,brown"),
    (False, OBJECT, "R,100,G,200,B,150"),
    (True, STRING, "blue"),
    (True, ARRAY, "blue,black,brown"),
    (True, OBJECT, "R=100,G=200,B=150"),
])
def test_spec_table_header(explode, value, want):
    assert header_param("color", value, "simple", explode) == want


@pytest.mark.parametrize("explode, value, want", [
    (False, STRING, "color=blue"),
    (False, ARRAY, "color=blue,black,brown"),
    (False, OBJECT, "color=R,100,G,200,B,150"),
    # Appendix D: '&' is never right between cookies; '; ' is.
    (True, STRING, "color=blue"),
    (True, ARRAY, "color=blue; color=black; color=brown"),
    (True, OBJECT, "R=100; G=200; B=150"),
])
def test_spec_table_cookie(explode, value, want):
    assert cookie_param("color", value, "form", explode) == want


def test_style_defaults_follow_the_spec():
    assert path_param("color", ARRAY) == "blue,black,brown"
    assert q(query_param("color", ARRAY)) == "color=blue&color=black&color=brown"
    # explode defaults to false for every style but form
    assert q(query_param("color", ARRAY, "pipeDelimited")) == "color=blue%7Cblack%7Cbrown"
    assert header_param("color", OBJECT) == "R,100,G,200,B,150"
    assert cookie_param("color", ARRAY) == "color=blue; color=black; color=brown"


# ------------------------------------------------- the "undefined" column
@pytest.mark.parametrize("style, explode, want", [
    ("matrix", False, ";color"),
    ("matrix", True, ";color"),
    ("simple", False, ""),
    ("simple", True, ""),
    # the table says "." but a lone "." is a dot-segment; see the traversal tests
    ("label", False, "%2E"),
    ("label", True, "%2E"),
])
def test_empty_string_path_gives_the_undefined_column(style, explode, want):
    assert path_param("color", "", style, explode) == want


@pytest.mark.parametrize("explode", [False, True])
def test_empty_string_query_and_cookie(explode):
    assert query_param("color", "", "form", explode) == [("color", "")]
    assert cookie_param("color", "", "form", explode) == "color="
    assert header_param("color", "") == ""


@pytest.mark.parametrize("value", [None, [], {}, [None], {"R": None}, ()])
def test_undefined_values_produce_nothing(value):
    for style in ("simple", "label", "matrix"):
        for explode in (False, True):
            assert path_param("color", value, style, explode) == ""
    for style in ("form", "spaceDelimited", "pipeDelimited", "deepObject"):
        for explode in (False, True):
            assert query_param("color", value, style, explode) == []
    assert header_param("color", value) == ""
    assert cookie_param("color", value) == ""
    assert cookie_param("color", value, explode=False) == ""


def test_none_members_are_skipped():
    assert path_param("c", ["a", None, "b"]) == "a,b"
    assert path_param("c", {"a": 1, "b": None}, "matrix", True) == ";a=1"
    assert query_param("c", ["a", None], explode=True) == [("c", "a")]
    assert header_param("c", {"a": None, "b": 2}, explode=True) == "b=2"


def test_empty_members_follow_rfc6570():
    # matrix writes an empty member as the bare name, the others as name=
    assert path_param("c", ["", "x"], "matrix", True) == ";c;c=x"
    assert path_param("c", {"k": ""}, "matrix", True) == ";k"
    assert path_param("c", {"k": ""}, "simple", True) == "k="
    assert query_param("c", {"k": ""}, "form", True) == [("k", "")]


# --------------------------------------------------------- path safety
@pytest.mark.parametrize("value, want", [
    ("../../admin", "..%2F..%2Fadmin"),
    ("a/b?c#d", "a%2Fb%3Fc%23d"),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("...", "..."),
    ("v1.2", "v1.2"),
    ("100%", "100%25"),
    ("a;b=c,d", "a%3Bb%3Dc%2Cd"),
    ("x y+z", "x%20y%2Bz"),
    ("[1]", "%5B1%5D"),
])
def test_path_values_cannot_change_the_path(value, want):
    assert path_param("id", value) == want


def test_path_traversal_through_label_and_arrays():
    assert path_param("id", ".", "label") == "%2E%2E"
    assert path_param("id", ["..", "x"]) == "..,x"
    assert path_param("id", "../x", "matrix") == ";id=..%2Fx"


def test_path_names_are_encoded_in_matrix():
    assert path_param("a b", "1", "matrix") == ";a%20b=1"


# --------------------------------------------------------- value conversion
def test_booleans_are_lowercase():
    assert path_param("b", True) == "true"
    assert q(query_param("b", False)) == "b=false"
    assert q(query_param("b", [True, False], explode=False)) == "b=true,false"
    assert q(query_param("b", {"x": True}, "deepObject", True)) == "b%5Bx%5D=true"
    assert header_param("b", True) == "true"
    assert cookie_param("b", False) == "b=false"
    assert form_urlencoded({"b": True}) == "b=true"


@pytest.mark.parametrize("value, want", [
    (3, "3"), (1.0, "1.0"), (0.1, "0.1"), (-2, "-2"), (10**20, "100000000000000000000"),
])
def test_numbers(value, want):
    assert path_param("n", value) == want


def test_dates_use_isoformat():
    d = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    assert q(query_param("since", d)) == "since=2024-05-01T12%3A30%3A00%2B00%3A00"
    assert path_param("day", datetime.date(2024, 5, 1)) == "2024-05-01"


def test_bytes_are_refused():
    with pytest.raises(TypeError, match="bytes"):
        path_param("x", b"raw")


def test_nested_containers_become_json():
    assert q(query_param("f", [{"a": 1}], explode=True)) == "f=%7B%22a%22%3A1%7D"
    assert header_param("f", {"a": [1, 2]}) == "a,[1,2]"


def test_tuples_are_arrays():
    assert path_param("c", ("a", "b")) == "a,b"


# --------------------------------------------------------- unicode
def test_unicode_is_utf8_percent_encoded():
    assert path_param("name", "Zoë/東京") == "Zo%C3%AB%2F%E6%9D%B1%E4%BA%AC"
    assert q(query_param("q", "café crème")) == "q=caf%C3%A9%20cr%C3%A8me"
    assert cookie_param("c", "ß") == "c=%C3%9F"


def test_unicode_name_spec_appendix_c():
    assert query_param("❤️", "love!") == [("%E2%9D%A4%EF%B8%8F", "love%21")]


def test_unicode_header_passes_through():
    assert header_param("X-Name", "Zoë") == "Zoë"


# --------------------------------------------------------- query specifics
def test_query_value_delimiters_are_encoded():
    assert q(query_param("q", "a&b=c+d#e f")) == "q=a%26b%3Dc%2Bd%23e%20f"
    assert q(query_param("q", ["a,b", "c"], explode=False)) == "q=a%2Cb,c"
    assert q(query_param("q", ["a|b", "c"], "pipeDelimited", False)) == "q=a%7Cb%7Cc"


def test_query_names_keep_brackets_literal():
    assert q(query_param("include[]", ["a", "b"])) == "include[]=a&include[]=b"
    assert q(query_param("filter[name]", "x y")) == "filter[name]=x%20y"
    assert q(query_param("a b&c=d", "1")) == "a%20b%26c%3Dd=1"


def test_form_exploded_object_keys_are_encoded_as_data():
    assert q(query_param("f", {"a b": "c", "x[0]": 1})) == "a%20b=c&x%5B0%5D=1"


def test_spec_appendix_c_plain_expansion():
    formulas = {"a": "x+y", "b": "x/y", "c": "x^y"}
    pairs = query_param("formulas", formulas, "form", True)
    pairs += query_param("words", ["math", "is", "fun"], "form", False)
    assert q(pairs) == "a=x%2By&b=x%2Fy&c=x%5Ey&words=math,is,fun"


def test_spec_appendix_c_allow_reserved():
    formulas = {"a": "x%2By", "b": "x/y", "c": "x^y"}  # '+' pre-encoded by the user
    pairs = query_param("formulas", formulas, "form", True, allow_reserved=True)
    pairs += query_param("words", ["math", "is", "fun"], "spaceDelimited", False)
    assert q(pairs) == "a=x%2By&b=x/y&c=x%5Ey&words=math%20is%20fun"


def test_allow_reserved_keeps_uri_characters():
    url = "https://example.com/cb?x=1&y=2#top"
    assert query_param("cb", url, allow_reserved=True) == [
        ("cb", "https://example.com/cb?x%3D1%26y%3D2%23top")]
    assert query_param("cb", url) == [
        ("cb", "https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1%26y%3D2%23top")]


def test_allow_reserved_still_encodes_query_breakers():
    value = "a&b=c+d#e[f];g h:i/j@k!l$m'n(o)p*q,r"
    assert query_param("v", value, allow_reserved=True) == [
        ("v", "a%26b%3Dc%2Bd%23e%5Bf%5D%3Bg%20h:i/j@k!l$m'n(o)p*q,r")]


def test_allow_reserved_percent_triples():
    assert query_param("v", "a%2Fb", allow_reserved=True) == [("v", "a%2Fb")]
    assert query_param("v", "100%", allow_reserved=True) == [("v", "100%25")]
    assert query_param("v", "%zz%4", allow_reserved=True) == [("v", "%25zz%254")]
    # without allowReserved a '%' is always data
    assert query_param("v", "a%2Fb") == [("v", "a%252Fb")]


def test_allow_reserved_applies_to_exploded_keys_and_deep_object():
    assert query_param("f", {"a/b": "c:d"}, allow_reserved=True) == [("a/b", "c:d")]
    assert q(query_param("f", {"u": "x/y&z"}, "deepObject", True, True)) == "f%5Bu%5D=x/y%26z"


# --------------------------------------------------------- deepObject
def test_deep_object_nested_objects():
    value = {"a": {"b": 1, "c": {"d": "x y"}}, "e": 2}
    assert q(query_param("f", value, "deepObject", True)) == (
        "f%5Ba%5D%5Bb%5D=1&f%5Ba%5D%5Bc%5D%5Bd%5D=x%20y&f%5Be%5D=2")


def test_deep_object_arrays_of_scalars_use_empty_brackets():
    value = {"status": ["open", None, "closed"], "n": 1}
    assert q(query_param("f", value, "deepObject", True)) == (
        "f%5Bstatus%5D%5B%5D=open&f%5Bstatus%5D%5B%5D=closed&f%5Bn%5D=1")


def test_deep_object_arrays_of_objects_use_indexes():
    value = {"items": [{"price": "p_1", "qty": 2}, None, {"price": "p_2"}]}
    assert q(query_param("f", value, "deepObject", True)) == (
        "f%5Bitems%5D%5B0%5D%5Bprice%5D=p_1&f%5Bitems%5D%5B0%5D%5Bqty%5D=2"
        "&f%5Bitems%5D%5B1%5D%5Bprice%5D=p_2")


def test_deep_object_keys_are_encoded_and_empties_dropped():
    value = {"a b": "1", "c[d]": "2", "e": {}, "g": [], "h": None, "i": ""}
    assert q(query_param("f", value, "deepObject", True)) == (
        "f%5Ba%20b%5D=1&f%5Bc%5Bd%5D%5D=2&f%5Bi%5D=")


def test_deep_object_ignores_explode_false():
    assert q(query_param("color", OBJECT, "deepObject", False)) == (
        "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150")


def test_deep_object_name_with_brackets_stays_literal():
    assert q(query_param("page[]", {"size": 5}, "deepObject", True)) == "page[]%5Bsize%5D=5"


# ------------------------------------------------------ n/a fallbacks
def test_na_cells_fall_back_to_form():
    assert q(query_param("color", STRING, "spaceDelimited", False)) == "color=blue"
    assert q(query_param("color", STRING, "pipeDelimited", False)) == "color=blue"
    assert q(query_param("color", STRING, "deepObject", True)) == "color=blue"
    assert q(query_param("color", ARRAY, "deepObject", True)) == "color=blue&color=black&color=brown"
    assert q(query_param("color", ARRAY, "pipeDelimited", True)) == "color=blue&color=black&color=brown"
    assert q(query_param("color", OBJECT, "spaceDelimited", True)) == "R=100&G=200&B=150"


@pytest.mark.parametrize("fn, style", [
    (path_param, "form"), (path_param, "deepObject"), (query_param, "simple"),
    (query_param, "matrix"), (header_param, "form"), (header_param, "label"),
    (cookie_param, "simple"), (cookie_param, "pipeDelimited"),
])
def test_unknown_style_for_location_is_refused(fn, style):
    with pytest.raises(ValueError, match=style):
        fn("color", "blue", style)


# --------------------------------------------------------- headers
@pytest.mark.parametrize("value", [
    "a\r\nX-Injected: 1", "a\nb", "a\rb", ["ok", "bad\n"], {"k\r\n": "v"},
])
def test_header_line_breaks_are_refused(value):
    with pytest.raises(ValueError, match="header value contains a line break"):
        header_param("X-Test", value, explode=True)


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\x7fb", "a\x0bb"])
def test_header_control_characters_are_refused(value):
    with pytest.raises(ValueError, match="control character"):
        header_param("X-Test", value)


def test_header_values_are_not_percent_encoded():
    assert header_param("X-Test", "a b/c?d%e\tf") == "a b/c?d%e\tf"
    assert header_param("token", [12345678901, 2]) == "12345678901,2"


# --------------------------------------------------------- cookies
def test_cookie_values_are_encoded():
    assert cookie_param("session", "a; b=c,d \"e\"") == "session=a%3B%20b%3Dc%2Cd%20%22e%22"
    assert cookie_param("a b", "1") == "a%20b=1"
    assert cookie_param("ids", [1, 2], explode=False) == "ids=1,2"


# --------------------------------------------------------- form bodies
def test_form_body_spec_example_json_object():
    # OAS 3.1.2, "Example: URL Encoded Form with JSON Values"
    body = {
        "id": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "address": {"streetAddress": "123 Example Dr.", "city": "Somewhere",
                    "state": "CA", "zip": "99999+1234"},
    }
    assert form_urlencoded(body) == (
        "id=f81d4fae-7dec-11d0-a765-00a0c91e6bf6&address=%7B%22streetAddress%22%3A%22123"
        "+Example+Dr.%22%2C%22city%22%3A%22Somewhere%22%2C%22state%22%3A%22CA%22%2C%22zip"
        "%22%3A%2299999%2B1234%22%7D")


def test_form_body_spec_example_json_string():
    body = {"id": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}
    enc = {"id": {"contentType": "application/json"}}
    assert form_urlencoded(body, enc) == "id=%22f81d4fae-7dec-11d0-a765-00a0c91e6bf6%22"


def test_form_body_spec_example_binary():
    # OAS 3.1.2, "Example: URL Encoded Form with Binary Values"
    icon = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAABGdBTUEAALGPC_xhBQAAADhlWElmTU0AKgAAAAgAAYdp"
            "AAQAAAABAAAAGgAAAAAAAqACAAQAAAABAAAAAqADAAQAAAABAAAAAgAAAADO0J6QAAAAEElEQVQIHWP8zwACTGCS"
            "AQANHQEDqtPptQAAAABJRU5ErkJggg==")
    enc = {"icon": {"contentType": "image/png, image/jpeg"}}
    assert form_urlencoded({"name": "example", "icon": icon}, enc) == (
        "name=example&icon=" + icon[:-2] + "%3D%3D")


def test_form_body_arrays_repeat_keys():
    body = {"To": "+15551234567", "StatusCallbackEvent": ["initiated", "ringing", None, "completed"],
            "Record": True, "Timeout": 30, "Skip": None}
    assert form_urlencoded(body) == (
        "To=%2B15551234567&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing"
        "&StatusCallbackEvent=completed&Record=true&Timeout=30")


def test_form_body_array_of_objects_items_are_json():
    assert form_urlencoded({"a": [{"x": 1}, "y z"]}) == "a=%7B%22x%22%3A1%7D&a=y+z"


def test_form_body_explicit_json_content_type_encodes_whole_value():
    enc = {"tags": {"contentType": "application/json; charset=utf-8"},
           "meta": {"contentType": "application/vnd.api+json"}}
    body = {"tags": ["a", None], "meta": {"k": None}}
    assert form_urlencoded(body, enc) == "tags=%5B%22a%22%2Cnull%5D&meta=%7B%22k%22%3Anull%7D"


def test_form_body_style_fields_switch_to_query_serialization():
    body = {"color": OBJECT, "ids": [1, 2], "filter": {"a": "x y"}, "cb": "https://e.com/a b"}
    enc = {
        "color": {"explode": False, "contentType": "application/json"},  # contentType ignored
        "ids": {"style": "pipeDelimited"},  # explode defaults to false
        "filter": {"style": "deepObject", "explode": True},
        "cb": {"allowReserved": True},
    }
    assert form_urlencoded(body, enc) == (
        "color=R,100,G,200,B,150&ids=1%7C2&filter%5Ba%5D=x%20y&cb=https://e.com/a%20b")


def test_form_body_style_form_object_explodes_to_top_level_keys():
    assert form_urlencoded({"color": OBJECT}, {"color": {"style": "form"}}) == "R=100&G=200&B=150"


def test_form_body_names_and_empty():
    assert form_urlencoded({"a b": "c&d", "tags[]": ["x", "y"]}) == "a+b=c%26d&tags[]=x&tags[]=y"
    assert form_urlencoded({}) == ""
    assert form_urlencoded(None) == ""
    assert form_urlencoded({"a": None, "b": []}) == ""
    assert form_urlencoded({"s": ""}) == "s="


def test_path_keeps_colon_and_at_but_never_slash():
    # ':' and '@' are legal in a path segment and real ids carry them.
    assert path_param("model", "ft:gpt-4o:org:abc") == "ft:gpt-4o:org:abc"
    assert path_param("user", "a@b.example") == "a@b.example"
    assert path_param("id", "a/b?c#d%") == "a%2Fb%3Fc%23d%25"
