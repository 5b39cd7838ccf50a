"""PDF from the .docx and .xlsx files, through LibreOffice in headless mode."""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from gridgov.core.errors import InvalidInput, InvalidState

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERTIBLE = (".docx", ".xlsx")
TIMEOUT_SECONDS = 180
PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk"
# Office documents name Windows fonts; without a replacement LibreOffice falls back to whatever CJK face fontconfig
# offers first (often the Japanese one, with Japanese glyph forms). 宋体 is a Ming (serif) face, 黑体 a sans.
REPLACEMENTS = {"宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC",
                "仿宋_GB2312": "Noto Serif CJK SC", "楷体": "Noto Serif CJK SC", "楷体_GB2312": "Noto Serif CJK SC",
                "黑体": "Noto Sans CJK SC", "SimHei": "Noto Sans CJK SC", "微软雅黑": "Noto Sans CJK SC",
                "Microsoft YaHei": "Noto Sans CJK SC"}
_ITEM = ('<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
         '<node oor:name="_{n}" oor:op="replace">'
         '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
         '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
         '<prop oor:name="ReplaceFont" oor:op="fuse"><value>{old}</value></prop>'
         '<prop oor:name="SubstituteFont" oor:op="fuse"><value>{new}</value></prop></node></item>')


def soffice() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def available() -> bool:
    """True when PDF files can be made here."""
    return soffice() is not None


def _profile(directory: Path) -> Path:
    """A fresh LibreOffice profile whose font replacement table maps the Chinese Windows fonts to Noto CJK."""
    items = "".join(_ITEM.format(n=n, old=old, new=new) for n, (old, new) in enumerate(REPLACEMENTS.items()))
    user = directory / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>'
        f"{items}</oor:items>\n", encoding="utf-8")
    return directory


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run in its own process group, so a hung soffice.bin (a grandchild) is killed with its launcher."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise InvalidState(f"PDF 转换超时（超过 {timeout:g} 秒），请稍后重试") from None
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def convert(path, out_dir, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Convert a .docx or .xlsx to PDF in out_dir; returns the PDF's path."""
    source = Path(path)
    if source.suffix.lower() not in CONVERTIBLE:
        raise InvalidInput(f"只能将 .docx 或 .xlsx 文件转换为 PDF：{source.name}")
    if not source.is_file():
        raise InvalidInput(f"要转换的文件不存在：{source}")
    executable = soffice()
    if executable is None:
        raise InvalidState(f"本机未安装 LibreOffice，无法生成 PDF（请安装 {PACKAGES}）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # A private profile per call: two soffice processes sharing one profile lock it and the second exits silently.
    with tempfile.TemporaryDirectory(prefix="gridgov-soffice-") as work:
        work_dir = Path(work)
        command = [executable, f"-env:UserInstallation={_profile(work_dir / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work_dir / "out"), str(source.resolve())]
        result = _run(command, timeout)
        produced = work_dir / "out" / f"{source.stem}.pdf"
        if result.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-300:]
            raise InvalidState(f"PDF 转换失败：{source.name}（LibreOffice 退出码 {result.returncode}）"
                               + (f"：{detail}" if detail else ""))
        target = out / produced.name
        shutil.move(produced, target)  # written aside first, so a failed run never leaves half a PDF in out_dir
    return target
