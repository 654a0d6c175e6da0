"""coding/tree.py: tree order, depth and "Parent › Child" paths of a codebook."""

from __future__ import annotations

import pytest

from coding.models import Theme
from coding.tree import theme_paths, tree_order

pytestmark = pytest.mark.django_db


def test_theme_paths_and_tree_order(project_a):
    parent = Theme.objects.create(project=project_a, name="Support", order=2)
    child = Theme.objects.create(project=project_a, name="Tailored", parent=parent)
    Theme.objects.create(project=project_a, name="Blame", order=1)
    themes = list(Theme.objects.filter(project=project_a))
    assert theme_paths(themes)[child.pk] == "Support › Tailored"
    assert [t.name for t in tree_order(themes)] == ["Blame", "Support", "Tailored"]


@pytest.mark.django_db
def test_tree_order_keeps_themes_caught_in_a_parent_loop(project_a):
    a = Theme.objects.create(project=project_a, name="A")
    b = Theme.objects.create(project=project_a, name="B", parent=a)
    Theme.objects.filter(pk=a.pk).update(parent=b)
    themes = list(Theme.objects.filter(project=project_a))
    assert {t.name for t in tree_order(themes)} == {"A", "B"}
    assert set(theme_paths(themes)) == {a.pk, b.pk}
