"""What differs between scenes shown side by side: the panels are titled by it, the rest is shared."""

from __future__ import annotations

import dataclasses
from typing import Sequence

from ..spec.scene import Scene
from ..spec.sweep import NOT_SWEPT, value_label
from .storyboard import describe

#: Fields the subtitle (describe) already states; the others are named only where scenes differ.
DESCRIBED = ("lr", "lr_lambda", "scheduler", "scheduler_kwargs", "batch_size", "weight_decay", "epochs",
             "init")
#: Letters for the table's columns where the panels' titles are too long to head them.
TAGS = "ABCDEF"
#: Longest column heading the readout's table takes before it uses letters.
MAX_HEADING = 8


def facets(scene: Scene) -> dict[str, str]:
    """The scene as named parts: the subtitle's ("lr 0.01", "batch 16", ...), then every other
    training field ("momentum 0.9", "seed 0", "optimizers (sgd, adam)")."""
    parts = {f"describe {i}": text for i, text in enumerate(describe(scene).split(" · "))}
    for field in dataclasses.fields(scene):
        if field.name not in DESCRIBED and field.name not in NOT_SWEPT:
            value = getattr(scene, field.name)
            parts[field.name] = value_label(field.name, [r.key for r in scene.runs] if field.name == "optimizers"
                                            and not any(r.kwargs for r in scene.runs) else value)
    return parts


def compare_titles(scenes: Sequence[Scene]) -> tuple[str, list[str]]:
    """(what all the scenes share, as a subtitle; each scene's panel title: what differs, or its name)."""
    each = [facets(scene) for scene in scenes]
    names = list(dict.fromkeys(name for parts in each for name in parts))
    differ = [name for name in names if len({parts.get(name, "") for parts in each}) > 1]
    common = " · ".join(each[0][name] for name in each[0] if name.startswith("describe") and name not in differ)
    titles = [" · ".join(parts[name] for name in differ if name in parts) or scene.name
              for parts, scene in zip(each, scenes)]
    return common, titles


def column_tags(titles: Sequence[str]) -> tuple[str, list[str]]:
    """(a heading, one short tag per panel) for the readout's table: the words the titles share go
    in the heading ("weight decay": "0", "0.01"); letters where what is left is still long (the
    panels' titles then start with their letter, see `lettered`)."""
    words = [title.split(" ") for title in titles]
    shared = 0
    while all(len(w) > shared + 1 and w[shared] == words[0][shared] for w in words):
        shared += 1
    tags = [" ".join(w[shared:]) for w in words]
    if any(len(tag) > MAX_HEADING for tag in tags) or len(set(tags)) < len(tags):
        return "", list(TAGS[:len(titles)])
    return " ".join(words[0][:shared]), tags


def lettered(titles: Sequence[str], tags: Sequence[str]) -> list[str]:
    """The panels' titles, each starting with its tag where the tags are letters."""
    if list(tags) != list(TAGS[:len(titles)]):
        return list(titles)
    return [f"{tag} · {title}" for tag, title in zip(tags, titles)]
