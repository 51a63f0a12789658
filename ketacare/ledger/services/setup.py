"""Setting the ledger up (administrators): products, storage locations, the clinic's DEA
registration number and whether the opening count gates dosing."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from ketacare.accounts.models import Clinic, User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal

from ..models import UNIT_FOR_FORM, LedgerSettings, Product, ProductForm, StorageLocation
from ..selectors import actor_clinic
from .base import Code, dea_registration, required_dea, required_text


def create_product(
    *,
    actor: User,
    name: str,
    form: str,
    concentration_mg_per_ml: Decimal | None = None,
    volume_ml: Decimal | None = None,
    strength_mg: Decimal | None = None,
    ndc: str = "",
) -> Product:
    policy.require(actor, policy.MANAGE_CLINIC, actor.clinic)
    clinic = actor_clinic(actor)
    name = required_text(name, "name", "product name")
    if form == ProductForm.VIAL:
        if not concentration_mg_per_ml or concentration_mg_per_ml <= 0:
            raise Refusal(
                "Enter the concentration in mg/mL.",
                code=Code.INVALID_VALUE,
                field="concentration_mg_per_ml",
            )
        if not volume_ml or volume_ml <= 0:
            raise Refusal(
                "Enter the vial volume in mL.", code=Code.INVALID_VALUE, field="volume_ml"
            )
        mg_per_unit, strength_mg = concentration_mg_per_ml, None
    elif form in (ProductForm.TROCHE, ProductForm.NASAL_DEVICE):
        if not strength_mg or strength_mg <= 0:
            raise Refusal("Enter the strength in mg.", code=Code.INVALID_VALUE, field="strength_mg")
        mg_per_unit, concentration_mg_per_ml, volume_ml = strength_mg, None, None
    else:
        raise Refusal("Choose the form.", code=Code.INVALID_VALUE, field="form")
    with transaction.atomic():
        dea = dea_registration(clinic)
        if Product.objects.filter(clinic=clinic, name__iexact=name).exists():
            raise Refusal("A product with this name exists.", code=Code.INVALID_VALUE, field="name")
        product = Product.objects.create(
            clinic=clinic,
            dea_registration=dea,
            name=name,
            form=form,
            unit=UNIT_FOR_FORM[ProductForm(form)],
            mg_per_unit=mg_per_unit,
            concentration_mg_per_ml=concentration_mg_per_ml,
            volume_ml=volume_ml,
            strength_mg=strength_mg,
            ndc=(ndc or "").strip(),
        )
        record(actor=actor, action="create", obj=product, detail=name)
    return product


def create_location(*, actor: User, name: str, kind: str) -> StorageLocation:
    policy.require(actor, policy.MANAGE_CLINIC, actor.clinic)
    clinic = actor_clinic(actor)
    name = required_text(name, "name", "location name")
    with transaction.atomic():
        dea = dea_registration(clinic)
        if StorageLocation.objects.filter(clinic=clinic, name__iexact=name).exists():
            raise Refusal(
                "A location with this name exists.", code=Code.INVALID_VALUE, field="name"
            )
        location = StorageLocation.objects.create(
            clinic=clinic, dea_registration=dea, name=name, kind=kind
        )
        record(actor=actor, action="create", obj=location, detail=name)
    return location


def update_ledger_settings(
    *, actor: User, dea_registration: str, require_opening_count: bool
) -> LedgerSettings:
    """The clinic's DEA registration number and whether the opening count gates dosing."""
    policy.require(actor, policy.MANAGE_CLINIC, actor.clinic)
    own_clinic = actor_clinic(actor)
    number = required_dea(
        dea_registration,
        "dea_registration",
        "Enter a valid DEA registration number: two letters and seven digits, the last a "
        "check digit (e.g. AB1234563).",
    )
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=own_clinic.pk)
        changed = []
        if clinic.dea_registration != number:
            changed.append(f"DEA registration {clinic.dea_registration or '(none)'} -> {number}")
            clinic.dea_registration = number
            clinic.save(update_fields=["dea_registration"])
        current, _ = LedgerSettings.objects.get_or_create(
            clinic=clinic,
            defaults={"require_opening_count": settings.LEDGER_REQUIRE_OPENING_COUNT},
        )
        if current.require_opening_count != require_opening_count:
            changed.append(f"opening count required: {require_opening_count}")
            current.require_opening_count = require_opening_count
            current.save()
        record(
            actor=actor,
            action="update",
            obj=current,
            detail="; ".join(changed) or "no change",
        )
    own_clinic.dea_registration = number
    return current
