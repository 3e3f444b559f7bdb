from parties.models import Role

ROLE_HOME_TEMPLATES = {
    Role.MANUFACTURER: "home/enterprise.html",
    Role.DISTRIBUTOR: "home/enterprise.html",
    Role.INSTITUTION: "home/institution.html",
    Role.HIS: "home/institution.html",
    Role.CITY_REGULATOR: "home/regulator.html",
    Role.COUNTY_REGULATOR: "home/regulator.html",
    Role.PROVINCE_REGULATOR: "home/regulator.html",
    Role.EXPERT: "home/expert.html",
}


def home_context(user) -> dict:
    from notifications.selectors import inbox

    role = Role.PROVINCE_REGULATOR if user.is_superuser else user.role
    return {
        "role_template": ROLE_HOME_TEMPLATES.get(role, "home/regulator.html"),
        "role_label": Role(role).label if role else "",
        "latest_notifications": inbox(user)[:5],
    }
