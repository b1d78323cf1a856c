"""Which version of a client library a project builds with, read from its build files.

`find_library(start, library)` looks in `start` and the folders above it (up to the repository
root, or `boundary`) for the nearest build file that names `library`, and returns the version
it pins with the file and line that say so. Library names are written as each ecosystem writes
them: Maven/Gradle `group:artifact` (org.apache.kafka:kafka-clients), a Python distribution
(kafka-python, confluent-kafka), an npm package (kafkajs), a Go module path (github.com/IBM/sarama;
a `/vN` suffix matches) or a NuGet id (Confluent.Kafka). SPRING_BOOT names the Spring Boot
version a project is built on (its parent POM, BOM import or Gradle plugin).

Read, per folder, nearest first, lock files before manifests:
  Maven pom.xml: dependencies, dependencyManagement, the parent (and its properties when the
  parent POM is in the repository), ${property} versions; Gradle build.gradle(.kts): string and
  map notation, plugins, ext/extra and `val`/`def` variables, gradle.properties; Gradle version
  catalogs gradle/libs.versions.toml; Python poetry.lock, uv.lock, pyproject.toml (PEP 621 and
  Poetry), requirements*.txt; npm package-lock.json, package.json; go.mod; NuGet *.csproj and
  Directory.Packages.props.

A file that cannot be parsed is passed over (it is not the audit's input); a version that is a
range or an unresolved ${property} is returned as written with `version` None: never guessed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SPRING_BOOT = "org.springframework.boot:spring-boot"
KAFKA_CLIENTS = "org.apache.kafka:kafka-clients"
_VCS_MARKERS = (".git", ".hg", ".svn")
_MAX_BYTES = 4_000_000  # a build file larger than this is not read


@dataclass(frozen=True)
class LibraryVersion:
    """A library as one build file declares it."""

    library: str  # the name asked for
    constraint: str  # the version as the file writes it, properties resolved ("^2.2.4", "3.6.1")
    version: str | None  # the exact version when the file pins one; None for a range or unresolved
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def find_library(
    start: Path, library: str, boundary: Path | None = None, ecosystem: str | None = None
) -> LibraryVersion | None:
    """The nearest build file at or above `start` that names `library`, or None; with `ecosystem`
    (python, jvm, npm, go, dotnet), only that ecosystem's build files count."""
    for folder in search_folders(start, boundary):
        for path in _build_files(folder):
            if ecosystem is not None and ecosystem_of(path.name) != ecosystem:
                continue
            found = read_build_file(path, library)
            if found is not None:
                return found
    return None


def project_boundary(start: Path) -> Path:
    """Where a search from start stops: the repository root above it; without one, the working
    folder when start is inside it, else start itself (never a stranger's build file in /tmp)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / m).exists() for m in _VCS_MARKERS):
            return folder
    cwd = Path.cwd().resolve()
    return cwd if start.is_relative_to(cwd) else start


def search_folders(start: Path, boundary: Path | None = None) -> Iterator[Path]:
    """start, then its parents: up to boundary when start is inside it, else up to the repository root."""
    start = start.resolve()
    stop = boundary.resolve() if boundary is not None else None
    if stop is not None and not start.is_relative_to(stop):
        stop = None
    for folder in (start, *start.parents):
        yield folder
        if folder == stop or (stop is None and any((folder / m).exists() for m in _VCS_MARKERS)):
            return
    # no boundary and no repository above: the whole chain was searched


def read_build_file(path: Path, library: str) -> LibraryVersion | None:
    """What one build file says about `library` (None when it does not name it or cannot be read)."""
    reader = _reader_for(path.name)
    if reader is None:
        return None
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return reader(text, str(path), library)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, expat.ExpatError):
        return None  # not a build file this reader understands: passed over


# --- which file is which -----------------------------------------------------------------------

Reader = Callable[[str, str, str], "LibraryVersion | None"]

_ORDER = (  # per folder, lock files first
    "poetry.lock",
    "uv.lock",
    "package-lock.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "gradle/libs.versions.toml",
    "pyproject.toml",
    "package.json",
    "go.mod",
    "Directory.Packages.props",
)


def _build_files(folder: Path) -> Iterator[Path]:
    for name in _ORDER:
        if (folder / name).is_file():
            yield folder / name
    try:
        extra = sorted(p for p in folder.iterdir() if p.is_file() and _is_listed_glob(p.name))
    except OSError:
        return
    yield from extra


def _is_listed_glob(name: str) -> bool:
    return name.endswith(".csproj") or (name.startswith("requirements") and name.endswith((".txt", ".in")))


def ecosystem_of(name: str) -> str | None:
    """Which ecosystem a build file belongs to: python, jvm, npm, go or dotnet."""
    reader = _reader_for(name)
    return _ECOSYSTEMS.get(reader) if reader is not None else None


def _reader_for(name: str) -> Reader | None:
    if name.endswith(".csproj") or name == "Directory.Packages.props":
        return _read_nuget
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return _read_requirements
    return {
        "poetry.lock": _read_python_lock,
        "uv.lock": _read_python_lock,
        "package-lock.json": _read_package_lock,
        "pom.xml": _read_pom,
        "build.gradle": _read_gradle,
        "build.gradle.kts": _read_gradle,
        "libs.versions.toml": _read_version_catalog,
        "pyproject.toml": _read_pyproject,
        "package.json": _read_package_json,
        "go.mod": _read_go_mod,
    }.get(name)


def _found(library: str, constraint: str, exact: bool, path: str, line: int) -> LibraryVersion:
    constraint = constraint.strip()
    return LibraryVersion(library, constraint, constraint if exact else None, path, line)


def _line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line of the first occurrence of needle (at or after start), else 1."""
    at = text.find(needle, start)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


# --- Maven and NuGet XML -----------------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def child(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag: str) -> str | None:
        found = self.child(tag)
        return found.text.strip() if found is not None else None

    def walk(self, tag: str) -> Iterator[_Node]:
        for c in self.children:
            if c.tag == tag:
                yield c
            yield from c.walk(tag)


def _parse_xml(text: str) -> _Node:
    """An element tree with lines; namespaces dropped; DTDs and entities never expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = _Node("", {}, 0)
    stack = [root]

    def refuse(*_: object) -> None:
        raise ValueError("XML with a DTD is not read")

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag.rpartition("}")[2].rpartition(":")[2], attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(text, True)
    if not root.children:
        raise ValueError("empty XML")
    return root.children[0]


_PROPERTY = re.compile(r"\$\{([^}]+)\}")


def _resolve(value: str, properties: dict[str, str], depth: int = 0) -> str:
    if depth > 10:
        return value
    resolved = _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
    return resolved if resolved == value else _resolve(resolved, properties, depth + 1)


def _pom_properties(project: _Node, path: Path, depth: int = 0) -> dict[str, str]:
    """The POM's properties over its parent's (when the parent POM is in the repository)."""
    properties: dict[str, str] = {}
    parent = project.child("parent")
    if parent is not None and depth < 5:
        relative = parent.value("relativePath")
        parent_path = (path.parent / (relative or "..")).resolve()
        if parent_path.is_dir():
            parent_path = parent_path / "pom.xml"
        if parent_path.is_file() and parent_path != path.resolve():
            try:
                parent_project = _parse_xml(parent_path.read_text(encoding="utf-8-sig"))
                properties.update(_pom_properties(parent_project, parent_path, depth + 1))
            except (OSError, UnicodeDecodeError, ValueError, expat.ExpatError):
                pass
        for key in ("version", "groupId"):
            if parent.value(key):
                properties[f"project.parent.{key}"] = parent.value(key) or ""
    for key in ("version", "groupId"):
        value = project.value(key) or properties.get(f"project.parent.{key}")
        if value:
            properties[f"project.{key}"] = value
    own = project.child("properties")
    for node in own.children if own is not None else ():
        properties[node.tag] = node.text.strip()
    return properties


def _read_pom(text: str, path: str, library: str) -> LibraryVersion | None:
    project = _parse_xml(text)
    properties = _pom_properties(project, Path(path))
    group, _, artifact = library.partition(":")
    if library == SPRING_BOOT:
        return _pom_spring_boot(project, properties, path)
    for dependency in project.walk("dependency"):
        if dependency.value("groupId") == group and dependency.value("artifactId") == artifact:
            version_node = dependency.child("version")
            if version_node is not None:
                return _pom_version(library, version_node, properties, path)
            managed = _pom_managed(library, properties, path, dependency.line)
            if managed is not None:
                return managed
    return None


def _pom_version(library: str, node: _Node, properties: dict[str, str], path: str) -> LibraryVersion:
    written = node.text.strip()
    resolved = _resolve(written, properties)
    exact = "$" not in resolved and not resolved.startswith(("[", "("))
    return _found(library, resolved, exact, path, node.line)


# Spring Boot's dependency management reads these properties (spring-boot-dependencies):
# setting one in a Boot project overrides the managed version.
_BOOT_VERSION_PROPERTIES = {
    KAFKA_CLIENTS: "kafka.version",
    "org.springframework.kafka:spring-kafka": "spring-kafka.version",
}


def _pom_managed(library: str, properties: dict[str, str], path: str, line: int) -> LibraryVersion | None:
    name = _BOOT_VERSION_PROPERTIES.get(library)
    if name is None or name not in properties:
        return None
    return _found(library, properties[name], "$" not in properties[name], path, line)


def _pom_spring_boot(project: _Node, properties: dict[str, str], path: str) -> LibraryVersion | None:
    parent = project.child("parent")
    candidates = [parent] if parent is not None else []
    candidates += list(project.walk("dependency")) + list(project.walk("plugin"))
    for node in candidates:
        if node.value("groupId") == "org.springframework.boot" and (node.value("artifactId") or "").startswith(
            "spring-boot"
        ):
            version_node = node.child("version")
            if version_node is not None:
                return _pom_version(SPRING_BOOT, version_node, properties, path)
    return None


def _read_nuget(text: str, path: str, library: str) -> LibraryVersion | None:
    project = _parse_xml(text)
    for tag in ("PackageReference", "PackageVersion"):
        for node in project.walk(tag):
            if node.attrs.get("Include", node.attrs.get("Update", "")).lower() != library.lower():
                continue
            if "Version" in node.attrs:
                return _nuget_version(library, node.attrs["Version"], path, node.line)
            version_node = node.child("Version")
            if version_node is not None:
                return _nuget_version(library, version_node.text, path, version_node.line)
    return None


def _nuget_version(library: str, written: str, path: str, line: int) -> LibraryVersion:
    exact = not any(c in written for c in "[(*$,")
    return _found(library, written, exact, path, line)


# --- Gradle ------------------------------------------------------------------------------------

_GRADLE_VARIABLE = re.compile(
    r"""(?:(?:val|def|var)\s+|ext\.|extra\[\s*|ext\[\s*|set\(\s*)["']?([\w.-]+)["']?\s*\]?\s*[=,]\s*["']([^"'$]+)["']"""
)


def _gradle_variables(text: str, path: Path) -> dict[str, str]:
    variables: dict[str, str] = {}
    properties = path.parent / "gradle.properties"
    if properties.is_file():
        for raw in properties.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = raw.partition("=")
            if sep and not raw.lstrip().startswith(("#", "!")):
                variables[key.strip()] = value.strip()
    for match in _GRADLE_VARIABLE.finditer(text):
        variables[match.group(1)] = match.group(2)
    ext_block = re.search(r"\bext\s*\{([^}]*)\}", text)
    if ext_block:
        for match in re.finditer(r"""([\w.]+)\s*=\s*["']([^"'$]+)["']""", ext_block.group(1)):
            variables[match.group(1)] = match.group(2)
    return variables


def _gradle_resolve(written: str, variables: dict[str, str]) -> str:
    return re.sub(
        r"\$\{?([\w.]+)\}?",
        lambda m: variables.get(m.group(1), variables.get(m.group(1).removeprefix("project."), m.group(0))),
        written,
    )


def _read_gradle(text: str, path: str, library: str) -> LibraryVersion | None:
    variables = _gradle_variables(text, Path(path))
    if library == SPRING_BOOT:
        plugin = re.search(
            r"""id\s*\(?\s*["']org\.springframework\.boot["']\s*\)?\s+version\s+["']([^"']+)["']""", text
        )
        if plugin:
            return _gradle_found(library, plugin.group(1), variables, path, _line_of(text, plugin.group(0)))
        return None
    group, _, artifact = library.partition(":")
    notation = re.search(rf"""["']{re.escape(library)}:([^"':@]+)[^"']*["']""", text)
    if notation:
        return _gradle_found(library, notation.group(1), variables, path, _line_of(text, notation.group(0)))
    as_map = re.search(
        rf"""group\s*[:=]\s*["']{re.escape(group)}["']\s*,\s*name\s*[:=]\s*["']{re.escape(artifact)}["']\s*,\s*version\s*[:=]\s*["']([^"']+)["']""",
        text,
    )
    if as_map:
        return _gradle_found(library, as_map.group(1), variables, path, _line_of(text, as_map.group(0)))
    property_name = _BOOT_VERSION_PROPERTIES.get(library)
    if property_name and property_name in variables and re.search(rf"""["']{re.escape(library)}["']""", text):
        return _gradle_found(library, variables[property_name], variables, path, _line_of(text, property_name))
    return None


def _gradle_found(library: str, written: str, variables: dict[str, str], path: str, line: int) -> LibraryVersion:
    resolved = _gradle_resolve(written, variables)
    exact = "$" not in resolved and not any(c in resolved for c in "[(+,") and "latest." not in resolved
    return _found(library, resolved, exact, path, line)


def _read_version_catalog(text: str, path: str, library: str) -> LibraryVersion | None:
    catalog = tomllib.loads(text)
    versions = {k: v for k, v in catalog.get("versions", {}).items() if isinstance(v, str)}
    if library == SPRING_BOOT:
        entries = [
            (k, v) for k, v in catalog.get("plugins", {}).items() if _catalog_id(v) == "org.springframework.boot"
        ]
    else:
        entries = [(k, v) for k, v in catalog.get("libraries", {}).items() if _catalog_module(v) == library]
    for key, entry in entries:
        written = _catalog_version(entry, versions)
        if written is not None:
            line = _line_of(text, key, text.find("[plugins]" if library == SPRING_BOOT else "[libraries]"))
            return _found(library, written, not any(c in written for c in "[(+,"), path, line)
    return None


def _catalog_module(entry: Any) -> str | None:
    if isinstance(entry, str):
        return ":".join(entry.split(":")[:2])
    if isinstance(entry, dict):
        if "module" in entry:
            return str(entry["module"])
        if "group" in entry and "name" in entry:
            return f"{entry['group']}:{entry['name']}"
    return None


def _catalog_id(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry.split(":")[0]
    return str(entry.get("id")) if isinstance(entry, dict) else None


def _catalog_version(entry: Any, versions: dict[str, str]) -> str | None:
    if isinstance(entry, str):
        parts = entry.split(":")
        return parts[-1] if len(parts) in (2, 3) and (len(parts) == 3 or "." in parts[-1]) else None
    version = entry.get("version")
    if isinstance(version, str):
        return version
    ref = entry.get("version.ref") or (version.get("ref") if isinstance(version, dict) else None)
    if isinstance(version, dict) and "ref" not in version:
        return version.get("strictly") or version.get("require") or version.get("prefer")
    return versions.get(ref) if isinstance(ref, str) else None


# --- Python ------------------------------------------------------------------------------------

_PEP508 = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(spec: str, library: str) -> str | None:
    """The version specifier of a PEP 508 requirement naming library ('' when unpinned), else None."""
    match = _PEP508.match(spec)
    if match is None or _normalise(match.group(1)) != _normalise(library):
        return None
    return match.group(3).strip().removeprefix("(").removesuffix(")").strip()


def _python_found(library: str, specifier: str, path: str, line: int) -> LibraryVersion:
    exact = re.fullmatch(r"===?\s*([0-9][^,*\s]*)", specifier)
    if exact:
        return _found(library, exact.group(1), True, path, line)
    return _found(library, specifier or "(any version)", False, path, line)


def _read_requirements(text: str, path: str, library: str) -> LibraryVersion | None:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        specifier = _requirement(line, library)
        if specifier is not None:
            return _python_found(library, specifier, path, number)
    return None


def _read_python_lock(text: str, path: str, library: str) -> LibraryVersion | None:
    for package in tomllib.loads(text).get("package", []):
        if isinstance(package, dict) and _normalise(str(package.get("name", ""))) == _normalise(library):
            version = str(package.get("version", ""))
            at = re.search(rf"""name\s*=\s*["']{re.escape(str(package["name"]))}["']""", text)
            line = text.count("\n", 0, at.start()) + 1 if at else 1
            return _found(library, version, bool(version), path, line)
    return None


def _read_pyproject(text: str, path: str, library: str) -> LibraryVersion | None:
    document = tomllib.loads(text)
    project = document.get("project", {})
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += list(extra)
    for spec in requirements:
        specifier = _requirement(str(spec), library) if isinstance(spec, str) else None
        if specifier is not None:
            return _python_found(library, specifier, path, _line_of(text, spec))
    poetry = document.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {})] + [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
    for table in tables:
        for name, value in table.items():
            if _normalise(name) == _normalise(library):
                written = value if isinstance(value, str) else str(value.get("version", ""))
                exact = re.fullmatch(r"=?=?\s*[0-9][^,*^~<>\s]*", written) is not None
                line = _line_of(text, f"\n{name}") + 1 if f"\n{name}" in text else 1
                return _found(library, written.lstrip("="), exact, path, line)
    return None


# --- npm, Go -----------------------------------------------------------------------------------


def _read_package_json(text: str, path: str, library: str) -> LibraryVersion | None:
    document = json.loads(text)
    for section in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        written = document.get(section, {}).get(library)
        if isinstance(written, str):
            exact = re.fullmatch(r"=?v?\d+\.\d+\.\d+[\w.+-]*", written.strip()) is not None
            line = _line_of(text, f'"{library}"', text.find(f'"{section}"'))
            return _found(library, written.lstrip("=v") if exact else written, exact, path, line)
    return None


def _read_package_lock(text: str, path: str, library: str) -> LibraryVersion | None:
    document = json.loads(text)
    entry = document.get("packages", {}).get(f"node_modules/{library}") or document.get("dependencies", {}).get(library)
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
        return None
    return _found(library, entry["version"], True, path, _line_of(text, f'"node_modules/{library}"'))


_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?([\w.~/-]+)\s+(v[\w.+-]+)")


def _read_go_mod(text: str, path: str, library: str) -> LibraryVersion | None:
    in_block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0]
        if re.match(r"^\s*require\s*\(", line):
            in_block = True
            continue
        if in_block and line.strip() == ")":
            in_block = False
            continue
        if not in_block and not line.lstrip().startswith("require"):
            continue
        match = _GO_REQUIRE.match(line)
        if match and re.fullmatch(rf"{re.escape(library)}(/v\d+)?", match.group(1)):
            return _found(library, match.group(2).removeprefix("v"), True, path, number)
    return None


_ECOSYSTEMS: dict[Reader, str] = {
    _read_python_lock: "python",
    _read_requirements: "python",
    _read_pyproject: "python",
    _read_pom: "jvm",
    _read_gradle: "jvm",
    _read_version_catalog: "jvm",
    _read_package_json: "npm",
    _read_package_lock: "npm",
    _read_go_mod: "go",
    _read_nuget: "dotnet",
}
