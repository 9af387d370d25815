"""The web UI's pages per role (shared by the page routes and `/api/me`)."""

from __future__ import annotations

from index.auth import Principal, Role

ROLE_NAMES = {Role.ADMIN: "管理员", Role.UPLOADER: "上传员", Role.REVIEWER: "审核员（牵头单位）",
              Role.PUBLICITY: "宣传人员"}
# (key, path, label, roles besides admin that may open it)
PAGES = [
    ("upload", "/ui/upload", "上传申报材料", {Role.UPLOADER}),
    ("review", "/ui/review", "审核", {Role.REVIEWER}),
    ("search", "/ui/search", "检索", {Role.UPLOADER, Role.REVIEWER, Role.PUBLICITY}),
    ("experiences", "/ui/experiences", "典型经验", {Role.REVIEWER, Role.PUBLICITY}),
]
HOME = {Role.ADMIN: "/ui/review", Role.UPLOADER: "/ui/upload", Role.REVIEWER: "/ui/review",
        Role.PUBLICITY: "/ui/experiences"}


def pages_for(principal: Principal) -> list[dict]:
    return [{"key": k, "path": p, "label": label} for k, p, label, roles in PAGES
            if principal.role is Role.ADMIN or principal.role in roles]
