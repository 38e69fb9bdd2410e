"""File transcription: temporary upload, async task submit, polling, result download, cancel.

Local files go through the temporary upload (getPolicy, form POST to the storage host, then an
`oss://` URL sent with `X-DashScope-OssResourceResolve: enable`). On the real cloud that upload
is documented for the Beijing region and for development use; a public URL works everywhere.
"""

from __future__ import annotations

import json
import mimetypes
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...core.transcript import Transcript
from ..base import CancelToken, EngineCancelledError
from .auth import get_logger
from .errors import DashScopeError, TaskFailedError, TimeoutError_, from_code
from .http import HttpClient
from .results import transcript_from_result

log = get_logger(__name__)

SUBMIT_PATH = "services/audio/asr/transcription"
MAX_URLS_PER_TASK = 100  # input.file_urls per request (Fun-ASR file transcription SDK docs)
_STAGES = {"PENDING": 0.4, "RUNNING": 0.6}
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN")


@dataclass
class UploadCertificate:
    """A getPolicy answer; reusable for several uploads until it expires."""

    data: dict
    model: str
    expires_at: float

    @property
    def valid(self) -> bool:
        return time.monotonic() < self.expires_at - 10


@dataclass
class TaskStatus:
    task_id: str
    status: str
    results: list[dict] = field(default_factory=list)
    code: str = ""
    message: str = ""


@dataclass
class FileResult:
    source: str  # the local path or URL given
    transcript: Transcript | None = None
    error: DashScopeError | None = None


FileProgress = Callable[[int, str, float], None]  # (file index, stage, fraction of that file)
FileDone = Callable[[int, FileResult], None]  # (file index, its result) as soon as it is known


def _stage_reporter(report: Callable[[str, float], None]) -> Callable[[str], None]:
    """A task status (PENDING, RUNNING...) as a stage name and a fraction of the file's progress."""
    return lambda status: report(status.lower(), _STAGES.get(status, 0.9))


class TranscriptionClient:
    def __init__(self, http: HttpClient, *, sleep: Callable[[float], None] = time.sleep,
                 poll_initial: float = 1.0, poll_max: float = 5.0) -> None:
        self.http = http
        self._sleep = sleep
        self.poll_initial, self.poll_max = poll_initial, poll_max
        self._cert: UploadCertificate | None = None

    # --- temporary upload --------------------------------------------------------------------
    def get_policy(self, model: str) -> UploadCertificate:
        resp = self.http.call("GET", "uploads", params={"action": "getPolicy", "model": model},
                              idempotent=True, context="Getting an upload policy")
        data = resp.output
        missing = [k for k in ("policy", "signature", "upload_dir", "upload_host", "oss_access_key_id")
                   if k not in data]
        if missing:
            raise DashScopeError(f"The upload policy is missing {', '.join(missing)}.")
        ttl = float(data.get("expire_in_seconds") or 300)
        return UploadCertificate(data, model, time.monotonic() + ttl)

    def upload(self, path: str | Path, model: str, name: str | None = None) -> str:
        """Upload a local file for `model`; return its oss:// URL.

        Each upload gets its own folder under the policy's upload_dir: the policy forbids
        overwriting, and it is cached, so the same file name twice (the same recording
        recognized again) would otherwise fail with FileAlreadyExists."""
        path = Path(path)
        if self._cert is None or not self._cert.valid or self._cert.model != model:
            self._cert = self.get_policy(model)
        d = self._cert.data
        name = name or path.name
        key = f"{d['upload_dir']}/{uuid.uuid4().hex}/{name}"
        form = {"OSSAccessKeyId": d["oss_access_key_id"], "Signature": d["signature"],
                "policy": d["policy"], "key": key,
                "x-oss-object-acl": d.get("x_oss_object_acl", "private"),
                "x-oss-forbid-overwrite": d.get("x_oss_forbid_overwrite", "true"),
                "success_action_status": "200",
                "x-oss-content-type": mimetypes.guess_type(name)[0] or "application/octet-stream"}
        with path.open("rb") as f:
            self.http.post_form(d["upload_host"], form, {"file": (name, f)},
                                context=f"Uploading {path.name}")
        return "oss://" + key

    # --- tasks -------------------------------------------------------------------------------
    def submit(self, model: str, file_urls: Sequence[str], parameters: dict | None = None) -> str:
        """Never retried on a server error or timeout: a task may already exist (and be billed)."""
        headers = {"X-DashScope-Async": "enable"}
        if any(u.startswith("oss://") for u in file_urls):
            headers["X-DashScope-OssResourceResolve"] = "enable"
        body = {"model": model, "input": {"file_urls": list(file_urls)}, "parameters": parameters or {}}
        out = self.http.call("POST", SUBMIT_PATH, json=body, headers=headers, idempotent=False,
                             context="Submitting the transcription").output
        tid = out.get("task_id")
        if not tid:
            raise DashScopeError("Submitting the transcription: no task_id in the answer.")
        return str(tid)

    def status(self, task_id: str) -> TaskStatus:
        out = self.http.call("GET", f"tasks/{task_id}", idempotent=True,
                             context="Checking the transcription task").output
        return TaskStatus(task_id, str(out.get("task_status", "UNKNOWN")),
                          [r for r in out.get("results") or [] if isinstance(r, dict)],
                          str(out.get("code", "")), str(out.get("message", "")))

    def cancel(self, task_id: str) -> None:
        """Only PENDING tasks can be cancelled on the cloud."""
        self.http.call("POST", f"tasks/{task_id}/cancel", idempotent=True,
                       context="Cancelling the transcription task")

    def wait(self, task_id: str, *, cancel: CancelToken | None = None, timeout: float | None = None,
             on_status: Callable[[str], None] | None = None) -> TaskStatus:
        """Poll like the SDK: 1 s, doubling every 3 polls, capped at 5 s."""
        delay, step = self.poll_initial, 0
        start = time.monotonic()
        while True:
            st = self.status(task_id)
            if on_status:
                on_status(st.status)
            if st.status in TERMINAL:
                return st
            if cancel is not None and cancel.cancelled:
                try:
                    self.cancel(task_id)
                except DashScopeError as e:  # already RUNNING: the cloud will finish it anyway
                    log.info("task %s could not be cancelled: %s", task_id, e)
                raise EngineCancelledError()
            if timeout is not None and time.monotonic() - start > timeout:
                raise TimeoutError_(f"The transcription task did not finish within {timeout:g} s "
                                    f"(still {st.status}).")
            step += 1
            if step % 3 == 0:
                delay = min(delay * 2, self.poll_max)
            self._pause(delay, cancel)

    def _pause(self, delay: float, cancel: CancelToken | None) -> None:
        """Sleep between polls in short steps, so a cancel is seen within 0.1 s, not after 5 s."""
        if cancel is None:
            self._sleep(delay)
            return
        end = time.monotonic() + delay
        while not cancel.cancelled and (left := end - time.monotonic()) > 0:
            self._sleep(min(0.1, left))

    def fetch_result(self, transcription_url: str, model: str) -> Transcript:
        raw = self.http.get_raw(transcription_url, context="Downloading the transcription result")
        try:
            doc = json.loads(raw)
        except ValueError:
            raise DashScopeError("The transcription result is not valid JSON.") from None
        return transcript_from_result(doc, model)

    def transcribe_url(self, model: str, url: str, parameters: dict | None = None, *,
                       cancel: CancelToken | None = None, timeout: float | None = None,
                       on_status: Callable[[str], None] | None = None) -> Transcript:
        task_id = self.submit(model, [url], parameters)
        st = self.wait(task_id, cancel=cancel, timeout=timeout, on_status=on_status)
        return self._single_result(st, model)

    def _single_result(self, st: TaskStatus, model: str) -> Transcript:
        if st.status == "CANCELED":
            raise EngineCancelledError("The transcription task was cancelled.")
        if st.status == "UNKNOWN":
            raise TaskFailedError(f"Task {st.task_id} is unknown to the service (expired, or made with "
                                  "another key or region).", code="UNKNOWN")
        ok = [r for r in st.results if r.get("subtask_status") == "SUCCEEDED"]
        if st.status != "SUCCEEDED" or not ok:
            failed = next((r for r in st.results if r.get("subtask_status") == "FAILED"), {})
            raise _subtask_error(failed, st)
        return self.fetch_result(str(ok[0]["transcription_url"]), model)

    def transcribe_files(self, model: str, sources: Sequence[str | Path], parameters: dict | None = None,
                         *, progress: FileProgress | None = None, cancel: CancelToken | None = None,
                         timeout: float | None = None) -> list[FileResult]:
        """Several files, one task each, progress per file (transcribe_batch sends them in one
        task: the Fun-ASR file API takes up to 100 URLs per request).

        A failure of one file is recorded in its FileResult and the batch goes on; cancelling
        stops the batch and cancels the task in flight if it is still PENDING.
        """
        results: list[FileResult] = []
        for i, src in enumerate(sources):
            def report(stage: str, frac: float, i: int = i) -> None:
                if progress:
                    progress(i, stage, frac)

            if cancel is not None and cancel.cancelled:
                raise EngineCancelledError()
            try:
                url = str(src)
                if not url.startswith(("http://", "https://", "oss://")):
                    report("uploading", 0.0)
                    url = self.upload(src, model)
                report("submitted", 0.3)
                tr = self.transcribe_url(model, url, parameters, cancel=cancel, timeout=timeout,
                                         on_status=_stage_reporter(report))
                results.append(FileResult(str(src), tr))
                report("done", 1.0)
            except EngineCancelledError:
                raise
            except DashScopeError as e:
                results.append(FileResult(str(src), error=e))
                report("failed", 1.0)
        return results

    def transcribe_batch(self, model: str, sources: Sequence[str | Path], parameters: dict | None = None,
                         *, progress: FileProgress | None = None, on_file: FileDone | None = None,
                         cancel: CancelToken | None = None, timeout: float | None = None
                         ) -> list[FileResult]:
        """Many files in one task (up to MAX_URLS_PER_TASK per task): upload each, submit once,
        poll once, download each result. One submit and one polling loop for a whole folder
        instead of one per file; the task's per-file results say which files failed.

        A file that cannot be uploaded, or whose subtask fails, gets its error in its FileResult
        (and `on_file`); the others go on. Cancelling raises EngineCancelledError.
        """
        results: list[FileResult | None] = [None] * len(sources)

        def settle(i: int, r: FileResult) -> None:
            results[i] = r
            if progress:
                progress(i, "done" if r.error is None else "failed", 1.0)
            if on_file:
                on_file(i, r)

        for start in range(0, len(sources), MAX_URLS_PER_TASK):
            part = range(start, min(len(sources), start + MAX_URLS_PER_TASK))
            urls = self._upload_all(model, sources, part, progress, settle, cancel)
            if urls:
                self._run_batch_task(model, sources, urls, parameters, progress, settle, cancel, timeout)
        return [r if r is not None else FileResult(str(sources[i]), error=DashScopeError(
            "The task returned no result for this file.")) for i, r in enumerate(results)]

    def _upload_all(self, model: str, sources: Sequence[str | Path], part: range,
                    progress: FileProgress | None, settle: FileDone,
                    cancel: CancelToken | None) -> dict[int, str]:
        """{file index: URL} for the files of `part` that are (or were uploaded to) URLs."""
        urls: dict[int, str] = {}
        for i in part:
            if cancel is not None:
                cancel.raise_if_cancelled()
            url = str(sources[i])
            try:
                if not url.startswith(("http://", "https://", "oss://")):
                    if progress:
                        progress(i, "uploading", 0.0)
                    url = self.upload(sources[i], model)
                urls[i] = url
                if progress:
                    progress(i, "uploaded", 0.3)
            except (DashScopeError, OSError) as e:
                err = e if isinstance(e, DashScopeError) else DashScopeError(
                    f"Cannot read {Path(sources[i]).name}: {e.strerror or e}")
                settle(i, FileResult(str(sources[i]), error=err))
        return urls

    def _run_batch_task(self, model: str, sources: Sequence[str | Path], urls: dict[int, str],
                        parameters: dict | None, progress: FileProgress | None, settle: FileDone,
                        cancel: CancelToken | None, timeout: float | None) -> None:
        def stage(status: str) -> None:
            for i in urls:
                if progress:
                    progress(i, status.lower(), _STAGES.get(status, 0.9))

        try:
            task_id = self.submit(model, list(urls.values()), parameters)
            st = self.wait(task_id, cancel=cancel, timeout=timeout, on_status=stage)
        except EngineCancelledError:
            raise
        except DashScopeError as e:  # the whole task could not run: every file of it failed
            for i in urls:
                settle(i, FileResult(str(sources[i]), error=e))
            return
        if st.status == "CANCELED":
            raise EngineCancelledError("The transcription task was cancelled.")
        for i, entry in _match_results(urls, st.results).items():
            settle(i, self._file_result(str(sources[i]), entry, st, model))

    def _file_result(self, source: str, entry: dict | None, st: TaskStatus, model: str) -> FileResult:
        if entry is None:
            if st.status == "SUCCEEDED":
                return FileResult(source, error=DashScopeError("The task returned no result for this file."))
            return FileResult(source, error=_subtask_error({}, st))
        if entry.get("subtask_status") != "SUCCEEDED" or not entry.get("transcription_url"):
            return FileResult(source, error=_subtask_error(entry, st))
        try:
            return FileResult(source, self.fetch_result(str(entry["transcription_url"]), model))
        except DashScopeError as e:
            return FileResult(source, error=e)


def _subtask_error(entry: dict, st: TaskStatus) -> TaskFailedError:
    """One file's failure in the cloud's words (its code, else the task's)."""
    if st.status == "UNKNOWN":
        return TaskFailedError(f"Task {st.task_id} is unknown to the service (expired, or made with "
                               "another key or region).", code="UNKNOWN")
    code = str(entry.get("code") or st.code or "FAILED")
    msg = str(entry.get("message") or st.message)
    err = from_code(code, msg, context="Transcription failed")
    return TaskFailedError(str(err), code=code, cloud_message=msg)


def _match_results(urls: dict[int, str], results: Sequence[dict]) -> dict[int, dict | None]:
    """Each submitted file's result entry: by its file_url, else (a URL the service rewrote) the
    next unclaimed entry in submission order."""
    unclaimed: dict[str, list[dict]] = {}
    for r in results:
        unclaimed.setdefault(str(r.get("file_url", "")), []).append(r)
    matched: dict[int, dict | None] = {}
    for i, url in urls.items():
        same = unclaimed.get(url)
        matched[i] = same.pop(0) if same else None
    taken = [r for r in matched.values() if r is not None]
    spare = [r for r in results if not any(r is t for t in taken)]
    for i in urls:
        if matched[i] is None and spare:
            matched[i] = spare.pop(0)
    return matched
