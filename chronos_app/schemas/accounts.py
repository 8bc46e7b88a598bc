"""What the UI may know about an account, a school and a membership."""

from __future__ import annotations

import dataclasses
import uuid


@dataclasses.dataclass(frozen=True)
class Actor:
    """The acting user, as every service function receives it."""

    user_id: uuid.UUID
    username: str
    creator_id: uuid.UUID | None = None
    # creator_id -> student_id for every active membership
    student_of: dict[uuid.UUID, uuid.UUID] = dataclasses.field(default_factory=dict)

    @property
    def is_creator(self) -> bool:
        return self.creator_id is not None


@dataclasses.dataclass
class MembershipView:
    creator_id: str = ""
    school_name: str = ""
    owner_username: str = ""
    tier: str = "basic"
    joined: str = ""


@dataclasses.dataclass
class SchoolView:
    creator_id: str = ""
    name: str = ""
    owner_username: str = ""
    owner_display_name: str = ""
    plan: str = "basic"
    student_count: int = 0
    video_count: int = 0
    is_member: bool = False
    is_owner: bool = False
    created: str = ""


@dataclasses.dataclass
class AccountView:
    user_id: str = ""
    username: str = ""
    email: str = ""
    display_name: str = ""
    bio: str = ""
    member_since: str = ""
    last_login: str = ""
    school: SchoolView | None = None
    memberships: list[MembershipView] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class StudentRow:
    student_id: str = ""
    username: str = ""
    display_name: str = ""
    email: str = ""
    tier: str = "basic"
    joined: str = ""
