"""The to-do items of a home page (issue 15 item 6), read from the template context so a test
reads what the page renders."""


def home_todos(client, user, labels=None) -> dict:
    """`user`'s to-do items by label ({label: {count, url, due, overdue, …}}); only `labels`
    when given (another app's tasks are tested there)."""
    client.force_login(user)
    r = client.get("/")
    assert r.status_code == 200
    return {t["label"]: t for t in r.context["todos"] if labels is None or t["label"] in labels}
