"""aefront through its public API, for Taguette's side-by-side harness (bench/side_by_side.sh
puts this file beside the harness as `aefront_adapter.py`, and the harness's own adapter
as `aefront_pages_adapter.py`). Projects, uploads, themes, highlights and one theme's CSV
go through /api/v1/ with a personal access token; the document load stays the coding
page a browser gets. Runs only inside the harness (its client venv has requests)."""

import re
import uuid
from bisect import bisect_right

import requests
from aefront_pages_adapter import AefrontAdapter as PagesAdapter
from aefront_pages_adapter import Project, _docx_bytes


class AefrontApiAdapter(PagesAdapter):
    """The same workload through aefront's public API (/api/v1/, a personal access token
    made on /api/tokens/ after the login): projects, uploads, themes, highlights and one
    theme's CSV. The document load stays the coding page a browser gets (with the
    session), and extra_measures adds the API's transcript + quotes reads."""

    def setup(self):
        # The login only (the base class also reads the admin's user list, which a
        # staff account reaches only after the MFA step since the hardening issue).
        if not self.password:
            raise RuntimeError("aefront needs --login/--password")
        self.s.get(self.base + "/accounts/login/").raise_for_status()
        r = self.s.post(
            self.base + "/accounts/login/",
            data={
                "username": self.login,
                "password": self.password,
                "csrfmiddlewaretoken": self._csrf(),
            },
            allow_redirects=False,
        )
        if r.status_code != 302 or "sessionid" not in self.s.cookies:
            raise RuntimeError("login failed: %s %s" % (r.status_code, r.text[:200]))
        page = self.s.get(self.base + "/api/tokens/")
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        r = self.s.post(
            self.base + "/api/tokens/",
            data={"csrfmiddlewaretoken": m.group(1), "name": "side by side", "scope": "write"},
        )
        if r.status_code != 201:
            raise RuntimeError("token: %s %s" % (r.status_code, r.text[:200]))
        token = re.search(r'<code id="new-token">([^<]+)</code>', r.text).group(1)
        self.api = requests.Session()
        self.api.headers["Authorization"] = "Bearer " + token

    def _p(self, project):
        return self.base + "/api/v1/projects/%s/" % project.slug

    def create_project(self, name):
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:80]
        r = self.api.post(self.base + "/api/v1/projects/", json={"name": name, "slug": slug})
        if r.status_code != 201:
            raise RuntimeError("create_project: %s %s" % (r.status_code, r.text[:300]))
        return Project(r.json()["id"], slug)

    def upload_document(self, project, name, text):
        if self.upload_as == "docx":
            body = self._docx.get(text) or _docx_bytes(text)
            f = (
                name + ".docx",
                body,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        else:
            f = (name + ".txt", text.encode("utf-8"), "text/plain")
        r = self.api.post(self._p(project) + "transcripts/", files={"file": f})
        if r.status_code != 201:
            raise RuntimeError("upload: %s %s" % (r.status_code, r.text[:300]))
        doc = r.json()["id"]
        self._orig[doc] = text
        return doc

    def stored_text(self, project, doc):
        r = self.api.get(self._p(project) + "transcripts/%d/" % doc)
        r.raise_for_status()
        return r.json()["text"]

    def create_tag(self, project, name):
        r = self.api.post(
            self._p(project) + "themes/", json={"name": name, "description": "theme " + name}
        )
        if r.status_code != 201:
            raise RuntimeError("create_tag: %s %s" % (r.status_code, r.text[:300]))
        tid = r.json()["id"]
        self._themes[(project.id, name)] = tid
        return tid

    def _one_turn(self, doc, s, e):
        """The span cut to the speaker turn it starts in: aefront refuses a quote across
        turns or on a label (Taguette's random highlights may cross them)."""
        tm = self._maps[doc]
        turn = max(bisect_right(tm.s_start, s) - 1, 0)
        said = tm.s_said[turn]
        turn_end = tm.s_start[turn + 1] - 2 if turn + 1 < len(tm.s_start) else len(tm.stored)
        length = e - s
        s = max(s, said)
        e = min(max(e, s + 1), turn_end, s + length)
        return s, e, tm.stored[s:e]

    def create_highlight(self, project, doc, start, end, tag_ids):
        s, e, _ = self._span(doc, start, end)
        s, e, text = self._one_turn(doc, s, e)
        r = self.api.post(
            self._p(project) + "quotes/",
            json={
                "transcript": doc,
                "start": s,
                "end": e,
                "text": text,
                "themes": list(tag_ids),
                "uuid": str(uuid.uuid4()),
            },
        )
        if r.status_code != 201:
            raise RuntimeError("highlight: %s %s" % (r.status_code, r.text[:300]))
        return r.json()["id"]

    def export_tag(self, project, tag_name, fmt):
        if fmt != "csv":
            return 404, b"one theme as csv or xlsx"
        tid = self._themes[(project.id, tag_name)]
        r = self.api.get(self._p(project) + "export/", params={"format": "csv", "theme": tid})
        return r.status_code, r.content

    def extra_measures(self, project, doc_ids, target_doc, reps, timed, summary):
        out = super().extra_measures(project, doc_ids, target_doc, reps, timed, summary)
        samples = []
        for _ in range(reps):

            def both():
                self.api.get(self._p(project) + "transcripts/%d/" % target_doc).raise_for_status()
                r = self.api.get(
                    self._p(project) + "quotes/",
                    params={"transcript": target_doc, "page_size": 1000},
                )
                r.raise_for_status()
                return r

            dt, r = timed(both)
            samples.append(dt)
        out["d_api_transcript_and_quotes"] = dict(summary(samples), quotes=r.json()["count"])
        return out


AefrontAdapter = AefrontApiAdapter
