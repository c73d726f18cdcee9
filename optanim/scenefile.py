"""Scene files: run one, find the scene it defines, and report its mistakes as the user's lines."""

from __future__ import annotations

import difflib
import runpy
import traceback
import weakref
from dataclasses import fields, replace
from pathlib import Path

from .errors import OptanimError
from .lessons.init.scene import InitScene
from .output.manifest import SceneSource, scene_source
from .spec.scene import Scene

#: Every kind of scene a file may define.
SCENE_KINDS = (Scene, InitScene)
#: The file each scene load_scene returned was read from, by identity (a Scene is not hashable):
#: what a render's manifest says the scene is.
_LOADED: dict[int, tuple[weakref.ref, SceneSource]] = {}


def load_scene(path: str | Path, name: str | None = None) -> Scene | InitScene:
    """The Scene (or InitScene) a scene file defines (`scene = Scene(...)`; `name` picks one of several)."""
    path = Path(path)
    if not path.exists():
        raise OptanimError(f"{path}: no such scene file")
    if path.is_dir():
        raise OptanimError(f"{path}: is a folder; give a scene file such as scenes/exp1.py")
    if path.suffix != ".py":
        raise OptanimError(f"{path}: a scene file must be a .py file")
    try:
        namespace = runpy.run_path(str(path), run_name="__scene__")
    except OptanimError as error:
        raise OptanimError(f"{path}: {error}") from None
    except SyntaxError as error:
        raise OptanimError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    except TypeError as error:
        raise OptanimError(f"{path}:{_user_line(error, path)}: {_field_hint(error)}") from None
    except Exception as error:  # the scene file's own bug: report its line, not ours
        raise OptanimError(f"{path}:{_user_line(error, path)}: {type(error).__name__}: {error}") from None
    scenes = {key: value for key, value in namespace.items() if isinstance(value, SCENE_KINDS)}
    if name is not None:
        if name not in scenes:
            raise OptanimError(f"{path}: scene {name!r} not found; the file defines: "
                               f"{', '.join(scenes) or 'no scene'}")
        chosen = scenes[name]
    elif "scene" in scenes:
        chosen = scenes["scene"]
    elif len(scenes) == 1:
        chosen = next(iter(scenes.values()))
    elif not scenes:
        raise OptanimError(f"{path}: defines no scene; write `scene = Scene(...)`")
    else:
        raise OptanimError(f"{path}: defines several scenes ({', '.join(scenes)}); pick one with --scene NAME")
    if not chosen.name:
        chosen = replace(chosen, name=path.stem if name is None or name == "scene" else f"{path.stem}-{name}")
    _LOADED[id(chosen)] = (weakref.ref(chosen, lambda _, key=id(chosen): _LOADED.pop(key, None)),
                           scene_source(path, name))
    return chosen


def source_of(scene: Scene | InitScene) -> SceneSource:
    """The scene's text: its file's, where load_scene read it, else a scene file of one Scene(...)
    line (it runs again where every field differing from the defaults writes itself as Python)."""
    loaded = _LOADED.get(id(scene))
    if loaded is not None and loaded[0]() is scene:
        return loaded[1]
    kind = type(scene).__name__
    return SceneSource(text=f"from optanim import {kind}\n\nscene = {scene!r}\n")


def _user_line(error: BaseException, path: Path) -> str:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if Path(frame.filename).resolve() == path.resolve()]
    return str(lines[-1]) if lines else "?"


def _field_hint(error: TypeError) -> str:
    """Python's 'X.__init__() got an unexpected keyword argument' as a field error, with a guess."""
    message = str(error)
    marker = "unexpected keyword argument '"
    if marker not in message:
        return f"TypeError: {message}"
    bad = message.split(marker, 1)[1].split("'", 1)[0]
    kind = next((k for k in SCENE_KINDS if message.startswith(f"{k.__name__}.")), Scene)
    names = [f.name for f in fields(kind)]
    near = difflib.get_close_matches(bad, names, 1)
    hint = f"; did you mean {near[0]!r}?" if near else f"; fields: {', '.join(names)}"
    return f"{bad}: unknown {kind.__name__} field{hint}"


def warnings_for(scene: Scene) -> list[str]:
    """Things that are allowed but probably not meant: they are printed, never fatal."""
    notes = []
    if not isinstance(scene, Scene) or scene.is_network:  # an InitScene, a network: no start point to check
        return notes
    a, b = scene.init
    (a_low, a_high), (b_low, b_high) = scene.window
    if not (a_low <= a <= a_high and b_low <= b <= b_high):
        notes.append(f"init: {tuple(scene.init)} lies outside the landscape window "
                     f"a in {(a_low, a_high)}, b in {(b_low, b_high)}; its path will not show")
    return notes
