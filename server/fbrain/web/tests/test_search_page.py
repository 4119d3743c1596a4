"""Search page: full page without JS, results fragment for htmx, filters, paging."""

from fbrain.notes import services


def test_empty_search_page_invites_typing(signed_in):
    html = signed_in.get("/search/").content.decode()
    assert 'role="search"' in html
    assert "Start typing" in html


def test_search_finds_with_highlighted_snippet(signed_in, member):
    services.note_create(owner=member, title="Garden", body="Tomatoes need sun and water.")
    services.note_create(owner=member, title="Other", body="Nothing here.")
    html = signed_in.get("/search/?q=tomat").content.decode()
    assert "Garden" in html
    assert "Other" not in html
    assert "<mark>" in html
    assert "1 result" in html


def test_search_as_you_type_finds_accented_words_from_the_first_letters(signed_in, member):
    services.note_create(owner=member, title="Café crème", body="Un **bon** café, [[Recettes|recette]] du matin.")
    services.note_create(owner=member, title="Other", body="Nothing here.")
    for typed in ("c", "ca", "caf", "cafe", "café cr", "CAFE CREME", "matin caf"):
        response = signed_in.get(f"/search/?q={typed}", headers={"HX-Request": "true", "HX-Target": "results"})
        html = response.content.decode()
        assert "Café crème" in html and "Other" not in html, typed
    assert "<mark>café</mark>" in html


def test_htmx_request_gets_only_the_results(signed_in, member):
    services.note_create(owner=member, title="Garden", body="Tomatoes")
    response = signed_in.get("/search/?q=garden", headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.content.decode()
    assert "Garden" in html
    assert "<form" not in html
    assert "HX-Request" in response["Vary"]


def test_filters_apply_and_bad_values_are_refused_by_name(signed_in, member):
    services.note_create(owner=member, title="Tagged garden", body="#plants garden")
    services.note_create(owner=member, title="Plain garden", body="garden")
    html = signed_in.get(
        "/search/?q=garden&tag=plants&kind=note&pinned=no&archived=no&from=2000-01-01&to=2999-01-01"
    ).content.decode()
    assert "Tagged garden" in html
    assert "Plain garden" not in html
    response = signed_in.get("/search/?q=garden&from=nonsense&kind=weird&page=x")
    html = response.content.decode()
    assert response.status_code == 400
    assert "from: Date has wrong format" in html and "kind: " in html and "page: " in html
    assert "Plain garden" not in html
    assert "Plain garden" in signed_in.get("/search/?q=garden&from=&kind=&tag=%20").content.decode()


def test_nothing_found_says_so(signed_in):
    assert "Nothing found" in signed_in.get("/search/?q=zzzzqqq").content.decode()


def test_search_pages_through_results(signed_in, member):
    for number in range(25):
        services.note_create(owner=member, title=f"Apple {number}", body="apple")
    first = signed_in.get("/search/?q=apple").content.decode()
    assert "Next →" in first
    second = signed_in.get("/search/?q=apple&page=2").content.decode()
    assert "← Previous" in second
    assert "Next →" not in second
