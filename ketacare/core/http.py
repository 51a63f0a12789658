"""Request types for the type checker: behind `role_required`/`action_required` (and the API's
auth) the user is signed in, so views annotate `request: AuthenticatedHttpRequest` and pass
`request.user` to services that take a `User`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from ketacare.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrower than HttpRequest's `User | AnonymousUser`
