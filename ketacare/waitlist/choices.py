"""The fixed vocabularies of the waiting list. Their codes are part of the public JSON API
(`POST /api/v1/waitlist`): extend, never rename."""

from django.db import models


class EntryStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", "Waiting for email confirmation"
    WAITING = "waiting", "On the waiting list"
    INVITED = "invited", "Invited"
    ENROLLED = "enrolled", "Enrolled"
    REMOVED = "removed", "Removed by the clinic"
    WITHDRAWN = "withdrawn", "Left the list (data erased)"


# Entries still "on the list" in some sense: a duplicate sign-up updates them.
OPEN_STATUSES = (EntryStatus.PENDING_CONFIRMATION, EntryStatus.WAITING, EntryStatus.INVITED)


class Condition(models.TextChoices):
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    PTSD = "ptsd", "PTSD"
    OCD = "ocd", "OCD"
    CHRONIC_PAIN = "chronic-pain", "Chronic pain"


class Route(models.TextChoices):
    IV = "iv", "IV infusion"
    IM = "im", "IM injection"
    NASAL = "nasal", "Esketamine nasal spray"
    HOME_TROCHE = "home-troche", "Sublingual troches at home"
    NO_PREFERENCE = "no-preference", "No preference"


class HeardFrom(models.TextChoices):
    DOCTOR = "doctor", "My doctor or therapist"
    FRIEND = "friend", "A friend or family member"
    SEARCH = "search", "A web search"
    SOCIAL = "social", "Social media"
    NEWS = "news", "News or an article"
    OTHER = "other", "Somewhere else"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Sent, not yet used"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Withdrawn"


# US states, DC and territories: the clinic is licensed by state, so the region served is
# a state. Codes are USPS abbreviations.
REGIONS: tuple[tuple[str, str], ...] = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"),
    ("WI", "Wisconsin"), ("WY", "Wyoming"), ("AS", "American Samoa"), ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"), ("PR", "Puerto Rico"), ("VI", "U.S. Virgin Islands"),
)  # fmt: skip
REGION_NAMES = dict(REGIONS)
