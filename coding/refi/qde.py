"""The REFI-QDA XML (project.qde and .qdc) as plain data: read, check and write. No ORM.

Reading accepts any `urn:QDA-XML:project:`/`codebook:` namespace and matches elements by
local name (SPEC §0); GUIDs are compared upper-case without braces (§3). Writing emits
exactly the 1.0 namespaces, bare upper-case GUIDs, the schemas' element order and no
empty wrapper (§2).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from aefront.errors import UserError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")  # fmt: skip
_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
MEDIA_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")


class RefiError(UserError):
    """A file that cannot be imported: `reason` names the file or the entry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, status=422)
        self.reason = reason


# --- the data ---------------------------------------------------------------------------


@dataclass
class Code:
    guid: str
    name: str
    codable: bool = True
    colour: str = ""
    description: str = ""
    children: list[Code] = field(default_factory=list)


@dataclass
class Coding:
    guid: str
    code: str
    coder: str = ""
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    creator: str = ""
    created: str = ""
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    path: str = ""  # plainTextPath
    content: str | None = None  # PlainTextContent
    creator: str = ""
    created: str = ""
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # variable guid -> value


@dataclass
class Note:
    guid: str
    name: str = ""
    text: str = ""
    path: str = ""
    creator: str = ""


@dataclass
class Variable:
    guid: str
    name: str
    type: str = "Text"


@dataclass
class Case:
    guid: str
    name: str = ""
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Link:
    guid: str
    origin: str = ""
    target: str = ""


@dataclass
class RefiProject:
    name: str
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    description: str = ""
    created: str = ""
    media: set[str] = field(default_factory=set)  # GUIDs of sources that are not text
    skipped: list[str] = field(default_factory=list)  # what the reader could not take

    def all_codes(self) -> list[Code]:
        found: list[Code] = []
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            found.append(code)
            stack.extend(reversed(code.children))
        return found


# --- reading ----------------------------------------------------------------------------


def guid_key(value: str | None) -> str:
    """A GUID as compared: upper case, no braces ('' when absent or malformed)."""
    match = _GUID.match((value or "").strip())
    return match[1].upper() if match else ""


def colour_of(value: str | None) -> str:
    """`#rrggbb` (lower case) from a REFI colour, or '' for none or an invalid one."""
    value = (value or "").strip()
    if not _RGB.match(value):
        return ""
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return "#" + digits.lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: ET.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "") if child is not None else ""


def _required_guid(element: ET.Element, where: str, attribute: str = "guid") -> str:
    key = guid_key(element.get(attribute))
    if not key:
        raise RefiError(f"{where}: a <{_local(element.tag)}> has no valid {attribute}")
    return key


def _int(element: ET.Element, attribute: str, where: str) -> int:
    value = element.get(attribute, "")
    try:
        return int(value.strip())
    except ValueError:
        raise RefiError(
            f"{where}: selection {element.get('guid', '?')} has a {attribute} that is "
            f"not a number ({value[:20]!r})"
        ) from None


def parse_xml(data: bytes, where: str) -> ET.Element:
    """Parse with defusedxml: no DTD, no entities (XXE, billion laughs)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise RefiError(
            f"{where} contains XML entity or DTD declarations, which are not allowed "
            "(possible XXE or entity-expansion attack)"
        ) from None
    except (ParseError, ValueError, UnicodeError):
        raise RefiError(f"{where} is not well-formed XML") from None


def _code(element: ET.Element, where: str) -> Code:
    name = element.get("name")
    if name is None:
        raise RefiError(f"{where}: a <Code> has no name")
    return Code(
        guid=_required_guid(element, where),
        name=name,
        codable=element.get("isCodable", "true").strip().lower() not in {"false", "0"},
        colour=colour_of(element.get("color")),
        description=_text(element, "Description"),
        children=[_code(child, where) for child in _children(element, "Code")],
    )


def _codes(element: ET.Element | None, where: str) -> list[Code]:
    if element is None:
        return []
    codes = _child(element, "Codes") if _local(element.tag) == "CodeBook" else element
    return [_code(child, where) for child in _children(codes, "Code")] if codes is not None else []


def _coding(element: ET.Element, where: str) -> Coding:
    ref = _child(element, "CodeRef")
    if ref is None:
        raise RefiError(f"{where}: a <Coding> has no <CodeRef>")
    return Coding(
        guid=_required_guid(element, where),
        code=_required_guid(ref, where, "targetGUID"),
        coder=guid_key(element.get("creatingUser")),
        note_refs=_refs(element, "NoteRef", where),
    )


def _refs(element: ET.Element, name: str, where: str, attribute: str = "targetGUID") -> list[str]:
    return [_required_guid(ref, where, attribute) for ref in _children(element, name)]


def _values(element: ET.Element, where: str) -> dict[str, str]:
    values = {}
    for value in _children(element, "VariableValue"):
        ref = _child(value, "VariableRef")
        if ref is None:
            raise RefiError(f"{where}: a <VariableValue> has no <VariableRef>")
        content = [child for child in value if _local(child.tag) != "VariableRef"]
        values[_required_guid(ref, where, "targetGUID")] = (
            (content[0].text or "").strip() if content else ""
        )
    return values


def _source(element: ET.Element, where: str) -> Source:
    content = _child(element, "PlainTextContent")
    source = Source(
        guid=_required_guid(element, where),
        name=element.get("name", ""),
        path=element.get("plainTextPath", ""),
        content=(content.text or "") if content is not None else None,
        creator=guid_key(element.get("creatingUser")),
        created=element.get("creationDateTime", ""),
        description=_text(element, "Description"),
        codings=[_coding(coding, where) for coding in _children(element, "Coding")],
        note_refs=_refs(element, "NoteRef", where),
        values=_values(element, where),
    )
    for selection in _children(element, "PlainTextSelection"):
        source.selections.append(
            Selection(
                guid=_required_guid(selection, where),
                start=_int(selection, "startPosition", where),
                end=_int(selection, "endPosition", where),
                name=selection.get("name", ""),
                description=_text(selection, "Description"),
                creator=guid_key(selection.get("creatingUser")),
                created=selection.get("creationDateTime", ""),
                codings=[_coding(coding, where) for coding in _children(selection, "Coding")],
                note_refs=_refs(selection, "NoteRef", where),
            )
        )
    return source


def read_project(root: ET.Element, where: str) -> RefiProject:
    """The project XML as data. Refuses anything but a REFI-QDA project."""
    if _local(root.tag) != "Project" or not _namespace(root.tag).startswith(
        "urn:QDA-XML:project:"
    ):
        raise RefiError(f"{where} is not a REFI-QDA project (no urn:QDA-XML:project root)")
    project = RefiProject(
        name=root.get("name", ""),
        origin=root.get("origin", ""),
        description=_text(root, "Description"),
        created=root.get("creationDateTime", ""),
    )
    users = _child(root, "Users")
    for user in _children(users, "User") if users is not None else []:
        project.users[_required_guid(user, where)] = user.get("name") or user.get("id") or ""
    project.codes = _codes(_child(root, "CodeBook"), where)
    variables = _child(root, "Variables")
    for variable in _children(variables, "Variable") if variables is not None else []:
        project.variables.append(
            Variable(
                _required_guid(variable, where),
                variable.get("name", ""),
                variable.get("typeOfVariable", "Text"),
            )
        )
    cases = _child(root, "Cases")
    for case in _children(cases, "Case") if cases is not None else []:
        project.cases.append(
            Case(
                guid=_required_guid(case, where),
                name=case.get("name", ""),
                description=_text(case, "Description"),
                values=_values(case, where),
                sources=_refs(case, "SourceRef", where),
                selections=_refs(case, "SelectionRef", where),
            )
        )
    sources = _child(root, "Sources")
    for element in list(sources) if sources is not None else []:
        kind = _local(element.tag)
        if kind == "TextSource":
            project.sources.append(_source(element, where))
        else:
            label = element.get("name") or element.get("guid", "?")
            project.media.add(guid_key(element.get("guid")))
            project.skipped.append(f"{kind} “{label}”: only text sources can be imported")
    notes = _child(root, "Notes")
    for note in _children(notes, "Note") if notes is not None else []:
        content = _child(note, "PlainTextContent")
        project.notes.append(
            Note(
                guid=_required_guid(note, where),
                name=note.get("name", ""),
                text=(content.text or "") if content is not None else "",
                path=note.get("plainTextPath", ""),
                creator=guid_key(note.get("creatingUser")),
            )
        )
    links = _child(root, "Links")
    for link in _children(links, "Link") if links is not None else []:
        project.links.append(
            Link(
                _required_guid(link, where),
                guid_key(link.get("originGUID")),
                guid_key(link.get("targetGUID")),
            )
        )
    sets = _child(root, "Sets")
    for element in _children(sets, "Set") if sets is not None else []:
        project.sets.append(
            Set(
                guid=_required_guid(element, where),
                name=element.get("name", ""),
                description=_text(element, "Description"),
                codes=_refs(element, "MemberCode", where),
                sources=_refs(element, "MemberSource", where),
                notes=_refs(element, "MemberNote", where),
            )
        )
    if _child(root, "Graphs") is not None:
        project.skipped.append("graphs: aefront has no graphs")
    return project


def read_codebook(data: bytes, where: str) -> tuple[str, list[Code]]:
    """A .qdc file (or a whole project's codebook): (origin, top-level codes)."""
    root = parse_xml(data, where)
    namespace = _namespace(root.tag)
    if _local(root.tag) == "Project" and namespace.startswith("urn:QDA-XML:project:"):
        return root.get("origin", ""), _codes(_child(root, "CodeBook"), where)
    if _local(root.tag) != "CodeBook" or not namespace.startswith("urn:QDA-XML:codebook:"):
        raise RefiError(f"{where} is not a REFI-QDA codebook (no urn:QDA-XML:codebook root)")
    return root.get("origin", ""), _codes(root, where)


def check_references(project: RefiProject, where: str) -> None:
    """Every GUID a file refers to must be defined in it (the XSD does not check this)."""
    codes = {code.guid for code in project.all_codes()}
    sources = {source.guid for source in project.sources}
    selections = {s.guid for source in project.sources for s in source.selections}
    notes = {note.guid for note in project.notes}
    variables = {variable.guid for variable in project.variables}
    users = set(project.users)
    problems: list[str] = []

    def need(kind: str, known: set[str], guid: str, by: str) -> None:
        if guid and guid not in known and len(problems) < 5:
            problems.append(f"{by} refers to {kind} {guid}, which the file does not define")

    for source in project.sources:
        need("user", users, source.creator, f"source “{source.name}”")
        for value in source.values:
            need("variable", variables, value, f"source “{source.name}”")
        for ref in source.note_refs:
            need("note", notes, ref, f"source “{source.name}”")
        for selection in source.selections:
            by = f"selection {selection.guid} in “{source.name}”"
            need("user", users, selection.creator, by)
            for ref in selection.note_refs:
                need("note", notes, ref, by)
            for coding in [*selection.codings]:
                need("code", codes, coding.code, by)
                need("user", users, coding.coder, by)
                for ref in coding.note_refs:
                    need("note", notes, ref, by)
        for coding in source.codings:
            need("code", codes, coding.code, f"source “{source.name}”")
    for case in project.cases:
        by = f"case “{case.name or case.guid}”"
        for ref in case.sources:
            need("source", sources | project.media, ref, by)
        for ref in case.selections:
            need("selection", selections, ref, by)
        for value in case.values:
            need("variable", variables, value, by)
    for element in project.sets:
        by = f"set “{element.name}”"
        for ref in element.codes:
            need("code", codes, ref, by)
        for ref in element.notes:
            need("note", notes, ref, by)
        for ref in element.sources:
            need("source", sources | project.media, ref, by)
    if problems:
        raise RefiError(f"{where}: " + "; ".join(problems))


# --- writing ----------------------------------------------------------------------------


def canonical(value: uuid.UUID | str) -> str:
    return str(value).upper()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (controls, lone surrogates)."""
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, /, **attributes: str | None) -> ET.Element:
    return ET.SubElement(
        parent, tag, {k: xml_safe(v) for k, v in attributes.items() if v is not None}
    )


def _text_child(parent: ET.Element, name: str, text: str) -> None:
    if text:
        _sub(parent, name).text = xml_safe(text)


def _write_code(parent: ET.Element, code: Code, *, with_notes: bool) -> None:
    element = _sub(
        parent,
        "Code",
        guid=code.guid,
        name=code.name,
        isCodable="true" if code.codable else "false",
        color=code.colour.upper() if code.colour else None,
    )
    _text_child(element, "Description", code.description)
    for child in code.children:
        _write_code(element, child, with_notes=with_notes)


def _coding_element(parent: ET.Element, coding: Coding, created: str) -> None:
    element = _sub(
        parent, "Coding", guid=coding.guid, creatingUser=coding.coder or None,
        creationDateTime=created or None,
    )  # fmt: skip
    _sub(element, "CodeRef", targetGUID=coding.code)
    for ref in coding.note_refs:
        _sub(element, "NoteRef", targetGUID=ref)


def _value(parent: ET.Element, variable: Variable, value: str) -> None:
    element = _sub(parent, "VariableValue")
    _sub(element, "VariableRef", targetGUID=variable.guid)
    if value:
        kind = {"Date": "DateValue", "Boolean": "BooleanValue"}.get(variable.type, "TextValue")
        _sub(element, kind).text = xml_safe(value)


def write_project(project: RefiProject) -> bytes:
    """project.qde: UTF-8, no BOM, the 1.0 namespace, every wrapper non-empty."""
    ET.register_namespace("", PROJECT_NS)
    root = ET.Element(f"{{{PROJECT_NS}}}Project")
    for key, value in (
        ("name", project.name),
        ("origin", project.origin),
        ("creationDateTime", project.created),
    ):
        if value:
            root.set(key, xml_safe(value))
    if project.users:
        users = _sub(root, "Users")
        for guid, name in project.users.items():
            _sub(users, "User", guid=guid, name=name)
    if project.codes:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        for code in project.codes:
            _write_code(codes, code, with_notes=True)
    by_guid = {variable.guid: variable for variable in project.variables}
    if project.variables:
        variables = _sub(root, "Variables")
        for variable in project.variables:
            _sub(variables, "Variable", guid=variable.guid, name=variable.name,
                 typeOfVariable=variable.type)  # fmt: skip
    if project.cases:
        cases = _sub(root, "Cases")
        for case in project.cases:
            element = _sub(cases, "Case", guid=case.guid, name=case.name or None)
            _text_child(element, "Description", case.description)
            for guid, value in case.values.items():
                _value(element, by_guid[guid], value)
            for ref in case.sources:
                _sub(element, "SourceRef", targetGUID=ref)
    if project.sources:
        sources = _sub(root, "Sources")
        for source in project.sources:
            element = _sub(
                sources, "TextSource", guid=source.guid, name=source.name,
                plainTextPath=source.path or None, creatingUser=source.creator or None,
                creationDateTime=source.created or None,
            )  # fmt: skip
            _text_child(element, "Description", source.description)
            for selection in source.selections:
                chosen = _sub(
                    element, "PlainTextSelection", guid=selection.guid,
                    name=selection.name, startPosition=str(selection.start),
                    endPosition=str(selection.end), creatingUser=selection.creator or None,
                    creationDateTime=selection.created or None,
                )  # fmt: skip
                _text_child(chosen, "Description", selection.description)
                for coding in selection.codings:
                    _coding_element(chosen, coding, selection.created)
                for ref in selection.note_refs:
                    _sub(chosen, "NoteRef", targetGUID=ref)
            for guid, value in source.values.items():
                _value(element, by_guid[guid], value)
    if project.notes:
        notes = _sub(root, "Notes")
        for note in project.notes:
            element = _sub(notes, "Note", guid=note.guid, name=note.name or None,
                           creatingUser=note.creator or None)  # fmt: skip
            _sub(element, "PlainTextContent").text = xml_safe(note.text)
    if project.sets:
        sets = _sub(root, "Sets")
        for element_set in project.sets:
            element = _sub(sets, "Set", guid=element_set.guid, name=element_set.name)
            _text_child(element, "Description", element_set.description)
            for ref in element_set.codes:
                _sub(element, "MemberCode", targetGUID=ref)
            for ref in element_set.sources:
                _sub(element, "MemberSource", targetGUID=ref)
    _text_child(root, "Description", project.description)
    _qualify(root, PROJECT_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_codebook(codes: list[Code], origin: str) -> bytes:
    """A .qdc file: CodeBook/Codes, no NoteRef, no empty Sets."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin})
    wrapper = ET.SubElement(root, "Codes")
    for code in codes:
        _write_code(wrapper, code, with_notes=False)
    _qualify(root, CODEBOOK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _qualify(element: ET.Element, namespace: str) -> None:
    for node in element.iter():
        if not node.tag.startswith("{"):
            node.tag = f"{{{namespace}}}{node.tag}"
