"""The public site: the front page at `/` for visitors, the information pages from Markdown
files (admins may override them), a crisis line everywhere, nothing a script could ride on."""

from __future__ import annotations

import re

import pytest

from ketacare.public.models import Page

pytestmark = pytest.mark.django_db

PAGES = {
    "ketamine-therapy": "What ketamine therapy is",
    "treatments": "Forms of treatment",
    "who-may-benefit": "Who may benefit, and who should not",
    "safety": "Safety and side effects",
    "home-program": "The home program",
    "faq": "Frequently asked questions",
    "privacy": "Privacy notice",
}


def test_visitors_get_the_public_front_page_at_the_root(world, client_for):
    response = client_for(None).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ketamine therapy, with care" in page
    assert 'href="/waitlist/"' in page and 'href="/pages/home-program/"' in page
    assert 'href="tel:988"' in page
    assert "Sign in" in page


@pytest.mark.parametrize("persona", ["admin", "clinician", "patient_user", "monitor"])
def test_signed_in_users_still_get_their_own_home_at_the_root(world, client_for, persona):
    page = client_for(world.user(persona)).get("/").content.decode()
    assert "Ketamine therapy, with care" not in page
    assert "Sign out" in page


@pytest.mark.parametrize(("slug", "title"), PAGES.items())
def test_every_information_page_is_public_with_the_crisis_line(world, client_for, slug, title):
    response = client_for(None).get(f"/pages/{slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page
    assert page.count('href="tel:988"') >= 2  # the banner and the page's own box


def test_the_forms_of_treatment_are_all_explained(world, client):
    page = client.get("/pages/treatments/").content.decode()
    for form in (
        "IV infusion",
        "IM injection",
        "Esketamine nasal spray",
        "Sublingual troches at home",
    ):
        assert f">{form}</h2>" in page


def test_who_should_not_lists_the_main_contraindications(world, client):
    page = client.get("/pages/who-may-benefit/").content.decode()
    for condition in ("aneurysm", "intracerebral haemorrhage", "psychosis or schizophrenia",
                      "pregnancy", "above 160/100", "allergy to ketamine"):  # fmt: skip
        assert condition in page
    for indication in ("Treatment-resistant depression", "PTSD", "OCD", "Chronic pain", "Anxiety"):
        assert indication in page


def test_an_unknown_page_is_a_404(world, client):
    assert client.get("/pages/no-such-page/").status_code == 404


def test_an_admin_page_replaces_the_file_until_unpublished(world, client):
    page = Page.objects.create(
        slug="faq", title="Questions, answered", body="Call us **any** time."
    )
    html = client.get("/pages/faq/").content.decode()
    assert "<h1>Questions, answered</h1>" in html and "<strong>any</strong>" in html
    page.published = False
    page.save()
    assert "<h1>Frequently asked questions</h1>" in client.get("/pages/faq/").content.decode()


def test_admins_may_add_a_page_and_it_joins_the_menu(world, client):
    Page.objects.create(slug="fees", title="Fees and insurance", body="Prices.", nav_order=70)
    assert client.get("/pages/fees/").status_code == 200
    assert 'href="/pages/fees/"' in client.get("/pages/faq/").content.decode()


def test_page_markdown_cannot_carry_scripts_or_styles(world, client):
    Page.objects.create(
        slug="evil",
        title="Evil",
        body='<script>alert(1)</script><p onclick="x()" style="color:red">Hi</p>'
        "[link](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = client.get("/pages/evil/").content.decode()
    article = html.split('<article class="prose">')[1].split("</article>")[0]
    assert "<script" not in article and "onclick" not in article and "style=" not in article
    assert "javascript:" not in article and "<img" not in article
    assert "Hi" in article


def test_public_pages_have_no_inline_scripts_or_styles(world, client):
    for url in ["/", "/waitlist/", "/contact/", *(f"/pages/{slug}/" for slug in PAGES)]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url


def test_the_installations_admin_edits_pages_in_the_django_admin(world, client_for):
    from tests.factories import UserFactory

    superuser = UserFactory(clinic=world.clinic, role="admin", is_staff=True, is_superuser=True)
    admin = client_for(superuser)
    response = admin.post("/django-admin/public/page/add/", {
        "slug": "news", "title": "News", "summary": "", "body": "Hello", "nav_order": "80",
        "published": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Page.objects.get(slug="news").updated_by == superuser
