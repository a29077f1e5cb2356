"""The topic list's query string: validated into a web form, then a domain filter."""

from __future__ import annotations

from userloop.domain.filters import TopicFilter
from userloop.web.console.topic_form import TopicListForm


def test_defaults_give_the_unfiltered_list_by_size() -> None:
    form = TopicListForm.parse()
    assert (form.sort, form.descending, form.page) == ("size", True, 1)
    assert form.to_filter() == TopicFilter()
    assert not form.filtered
    assert form.params()["dir"] == "desc"


def test_unknown_values_fall_back_to_defaults() -> None:
    form = TopicListForm.parse(
        sort="drop table", direction="sideways", kind="nonsense", status="closed", page="²"
    )
    assert (form.sort, form.descending, form.page) == ("size", True, 1)
    assert (form.kind, form.status) == ("", "")
    assert TopicListForm.parse(page="123456789").page == 1  # 9 digits: no page of ours
    assert TopicListForm.parse(page="-2").page == 1
    assert TopicListForm.parse(page="12").page == 12


def test_each_column_sorts_its_own_way_first() -> None:
    assert TopicListForm.parse(sort="id").descending is False
    assert TopicListForm.parse(sort="id", direction="desc").descending is True
    assert TopicListForm.parse(sort="votes", direction="asc").descending is False


def test_values_become_the_domain_filter_and_the_links_query() -> None:
    form = TopicListForm.parse(
        kind="bug", status="planned", language="ru", build="2.1", q="  #12 ", merged="1"
    )
    assert form.to_filter() == TopicFilter(
        kind="bug", status="planned", language="ru", build="2.1", q="#12", include_merged=True
    )
    assert form.filtered
    params = form.params()
    assert params["q"] == "#12" and params["merged"] == "1" and params["model"] == ""
    assert TopicListForm.parse(merged="1").filtered is False  # showing merged only widens
