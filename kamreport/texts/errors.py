"""What the product says when it stops or reports on its work, in Chinese
and English: the errors (errors.KamError keys and the CLI's usage errors)
and the command line's own lines (what build and send wrote or skipped).

A KamError is worded where it is printed, in the user's language (README
"Messages"); its parameters may be `texts.Text` fragments (a "what", a
reason), worded in the same language. Paths, option names, environment
variables and numbers are printed as they are in both languages.
"""
from __future__ import annotations

ERRORS: dict[str, tuple[str, "str | tuple[str, str]"]] = {
    # ---- the command line's own lines
    "cli.wrote": ("已写入 {path}", "wrote {path}"),
    "cli.error_line": ("错误：{message}", "error: {message}"),
    "cli.warning_line": ("警告：{message}", "warning: {message}"),
    "cli.per_manager_alone": (
        "--per-manager 会把每位客户经理自己的资料包发到其 Staff 邮箱：不能再加 --to 或 --attach-accounts"
        "（报告册请另行运行一次 send 发送）",
        "--per-manager mails each manager their own pack at their Staff email: "
        "it takes neither --to nor --attach-accounts (send the booklet in another run)"),

    # ---- kamreport init (sample/)
    "init.lang": ("--lang 只能是 zh 或 en，不能是 {value!r}", "--lang must be zh or en, not {value!r}"),
    "init.customers_min": ("--customers 至少为 1，而不是 {n}", "--customers must be at least 1, not {n}"),
    "init.customers_max": (
        "--customers {n}：一个工作簿最多容纳 {limit} 个客户（活动表会超过 Excel 的 1,048,576 行上限）",
        "--customers {n}: at most {limit} fit in one workbook "
        "(the Activities sheet would exceed Excel's 1,048,576 rows)"),
    "init.not_xlsx": ("{path}：文件名必须以 .xlsx 结尾", "{path}: the file name must end in .xlsx"),
    "init.no_folder": ("{path}：文件夹 {folder} 不存在；请先创建或换一个路径",
                       "{path}: folder {folder} does not exist; create it or choose another path"),
    "init.cannot_write": ("{path}：无法写入工作簿（{reason}）", "{path}: cannot write the workbook ({reason})"),

    # ---- settings given on the command line (engine/settings.py)
    "override.unknown": ("未知的设置项 '{key}'；可用的设置项：{known}",
                         "unknown setting '{key}'; known settings: {known}"),
    "override.bad": ("--{option}：'{value}' 无效，应为 {accepted}",
                     "--{option}: '{value}' is not valid: expected {accepted}"),

    # ---- the machine (pdf/ground.py, pdf/internals.py)
    "ground.lines": ("{lines}", "{lines}"),     # a GroundError: its lines, each worded already
    "ground.out_is_file": ("--out {out}：这是一个文件，不是文件夹；请删除它或换一个 --out",
                           "--out {out}: is a file, not a folder; remove it or choose another --out"),
    "ground.out_under_file": ("--out {out}：{existing} 是文件，不是文件夹；请换一个 --out",
                              "--out {out}: {existing} is a file, not a folder; choose another --out"),
    "ground.out_not_writable": (
        "--out {out}：无法在 {existing} 中写入（{reason}）；请修改它的权限或换一个 --out",
        "--out {out}: cannot write in {existing} ({reason}); fix its permissions or choose another --out"),
    "ground.out_no_room": (
        "--out {out}：所在磁盘只剩 {free:.1f} MB，一次生成需要 {need:.0f} MB；请腾出空间或换一个 --out",
        "--out {out}: only {free:.1f} MB free on its disk, a build needs {need:.0f} MB; "
        "free some space or choose another --out"),
    "ground.no_pango": (
        "WeasyPrint 无法加载它的依赖库（{reason}）：请安装 Pango（Debian/Ubuntu：sudo apt install "
        "libpango-1.0-0 libpangoft2-1.0-0；Fedora：sudo dnf install pango；macOS：brew install pango）",
        "WeasyPrint cannot load its libraries ({reason}): install Pango "
        "(Debian/Ubuntu: sudo apt install libpango-1.0-0 libpangoft2-1.0-0; Fedora: sudo dnf install "
        "pango; macOS: brew install pango)"),
    "ground.no_weasyprint": ("WeasyPrint 没有安装（{reason}）：请重新 pip install kamreport",
                             "WeasyPrint is not installed ({reason}): pip install kamreport again"),
    "ground.no_fonts": (
        "fontconfig 找不到任何字体，所有文字都会显示成方框：请安装字体（Debian/Ubuntu：sudo apt install "
        "fonts-dejavu-core fonts-noto-cjk；Fedora：sudo dnf install dejavu-sans-fonts google-noto-sans-cjk-fonts）",
        "fontconfig knows no font at all, every letter would be a box: install fonts "
        "(Debian/Ubuntu: sudo apt install fonts-dejavu-core fonts-noto-cjk; Fedora: "
        "sudo dnf install dejavu-sans-fonts google-noto-sans-cjk-fonts)"),
    "ground.no_cjk": ("没有中文（CJK）字体，而{what}：PDF 中的中文会显示成方框；{install}",
                      "no CJK font, and {what}: the PDFs would show boxes; {install}"),
    "ground.report_is_zh": ("报告是中文的", "the report is Chinese"),
    "ground.workbooks_zh": ("工作簿中有中文", "the workbooks hold Chinese text"),
    "ground.install_cjk": (
        "请安装 CJK 字体（Debian/Ubuntu：sudo apt install fonts-noto-cjk；"
        "Fedora：sudo dnf install google-noto-sans-cjk-fonts；"
        "macOS/Windows：从 https://github.com/notofonts/noto-cjk 安装 Noto Sans CJK SC），"
        "或用 {env}=/path/to/NotoSansCJKsc-Regular.otf 指定一个字体文件",
        "install a CJK font (Debian/Ubuntu: sudo apt install fonts-noto-cjk; "
        "Fedora: sudo dnf install google-noto-sans-cjk-fonts; "
        "macOS/Windows: install Noto Sans CJK SC from https://github.com/notofonts/noto-cjk) "
        "or point kamreport at a font file: {env}=/path/to/NotoSansCJKsc-Regular.otf"),
    "ground.font_missing": ("{env}={path}：字体文件不存在", "{env}={path}: no such font file"),
    "ground.font_unreadable": ("{env}={path}：kamreport 无法读取这个字体文件（{reason}）",
                               "{env}={path}: not a font file kamreport can read ({reason})"),
    "ground.font_not_zh": ("{env}={path}：这个字体没有中文字形；{install}",
                           "{env}={path}: the font has no Chinese glyphs; {install}"),
    "ground.font_config": ("{env}={path}：无法为它写入 fontconfig 配置文件（试过 {tried}）",
                           "{env}={path}: cannot write a fontconfig file for it (tried {tried})"),
    "pdf.internals": (
        "kamreport {version} 用到了 WeasyPrint 和 pydyf 的内部接口，适配的是 weasyprint {weasyprint}* 和 "
        "pydyf {pydyf}*，而这里装的是 {found}：请运行 pip install {want}",
        "kamreport {version} uses internals of WeasyPrint and pydyf and was written against "
        "weasyprint {weasyprint}* and pydyf {pydyf}*, found {found}: pip install {want}"),

    # ---- kamreport build (build/)
    "build.formats": (
        "--format：{bad} 不是 html、pdf、json、pptx、xlsx 之一（用逗号分隔，例如 html,pdf）",
        "--format: {bad} is not one of html, pdf, json, pptx, xlsx (comma-separated, e.g. html,pdf)"),
    "build.formats_empty": ("（空）", "(empty)"),
    "build.template_no_body": (
        "模板 {template}：booklet.html 由 base.html 的 body 块组成；请继承 \"default:base.html\"（或随附的模板），只覆盖其中的块",
        "template {template}: booklet.html is made of the body block of base.html; "
        "extend \"default:base.html\" (or the packaged template) and override a block"),
    "build.template_block_buffered": (
        "模板 {template}：它的 {block} 块写在 filter、set 或 call 块里面；booklet.html 需要它留在文档中原来的位置",
        "template {template}: its {block} block is rendered inside a filter, set or call block; "
        "booklet.html needs it where it stands in the document"),
    "build.wrote_booklet_pdf": ("已写入 booklet.pdf", "wrote booklet.pdf"),
    "build.contents_unsettled": ("目录页未能定稿：其中的页码可能差一页",
                                 "the contents page did not settle; its page numbers may be off by a page"),
    "build.packs_need_pdf": ("--packs managers 生成的是 PDF：请在 --format 中加上 pdf（例如 --format html,pdf,json）",
                             "--packs managers makes PDFs: add pdf to --format (e.g. --format html,pdf,json)"),
    "build.policy_too_big": ("{path}：政策文件有 {size:,} 字节，最多只接受 {limit:,} 字节",
                             "{path}: the policy file is {size:,} bytes; at most {limit:,} are accepted"),
    "build.policy_not_utf8": ("{path}：政策文件必须是 UTF-8 文本（Markdown）",
                              "{path}: the policy file must be UTF-8 text (Markdown)"),
    "build.policy_unreadable": ("{path}：无法读取政策文件（{reason}）", "{path}: cannot read the policy file ({reason})"),
    "build.interrupted_after": ("已中断（{how}），此前 {path} 已写入", "interrupted ({how}) after {path} was written"),
    "build.interrupted": ("已中断（{how}）：{out} 中没有任何改动", "interrupted ({how}): nothing was changed in {out}"),
    "build.worker_died": (
        "一个渲染子进程意外结束（被终止，或内存不足？）；{out} 中没有任何改动",
        "a render worker process ended unexpectedly (killed, or out of memory?); nothing was changed in {out}"),
    "build.out_of_memory": ("内存不足；{out} 中没有任何改动", "out of memory; nothing was changed in {out}"),
    "build.reader_died": ("读取工作簿失败：读取进程以代码 {code} 结束（内存不足？）",
                          "reading the workbooks failed: the reading process ended with code {code} (out of memory?)"),
    "build.os_failure": ("{where}{reason}；生成已停止，{final} 保持原样{hint}",
                         "{where}{reason}; the build stopped and {final} is left as it was{hint}"),
    "build.os_where": ("{path}：", "{path}: "),
    "build.hint_room": ("（请腾出空间或换一个 --out）", " (free some space or choose another --out)"),
    "build.hint_writable": ("（请换一个 --out，或让它可写）", " (choose another --out or make it writable)"),
    "build.out_broken_link": ("{path} 是一个失效的符号链接：--out 需要一个文件夹",
                              "{path} is a broken symbolic link: --out needs a folder"),
    "build.out_is_file": ("{path} 是文件，不是文件夹：--out 需要一个文件夹",
                          "{path} is a file, not a folder: --out needs a folder"),
    "build.out_not_writable": (
        "{path}：无法写入（只读文件系统或没有权限）：请换一个 --out，或让它可写",
        "{path}: cannot write there (read-only file system or no permission): "
        "choose another --out or make it writable"),
    "build.out_no_room": ("{path}：只剩 {free} 可用空间，一次生成至少需要 {need}：请腾出空间或换一个 --out",
                          "{path}: {free} free, a build needs at least {need}: free some space or choose another --out"),
    "build.period_link": (
        "{path} 是一个符号链接；生成会整体替换报告期文件夹：请删除这个链接，或把 --out 设为链接目标所在的文件夹",
        "{path} is a symbolic link; the build replaces the period folder as a whole: "
        "remove the link, or give --out the folder it points into"),
    "build.period_is_file": ("{path} 是文件，不是文件夹：请把它移走（生成会把报告期 {label} 写在那里）",
                             "{path} is a file, not a folder: move it away (the build writes period {label} there)"),
    "build.output_is_file": ("{path} 是文件，不是文件夹：请把它移走（生成会在那里写入 {name}）",
                             "{path} is a file, not a folder: move it away (the build writes its {name} there)"),
    "build.output_is_folder": ("{path} 是文件夹，不是文件：请把它移走（生成会在那里写入 {name}）",
                               "{path} is a folder, not a file: move it away (the build writes its {name} there)"),
    "build.plan_is_folder": ("{path} 是文件夹，不是文件：请把它移走（生成会把客户计划写在 {accounts} 中）",
                             "{path} is a folder, not a file: move it away "
                             "(the build writes the account plans in {accounts})"),
    "build.no_room": (
        "{path}：只剩 {free} 可用空间；这次生成大约需要 {need}（新的报告期文件夹建在 {final} 旁边，"
        "旧的在新的完成之前一直保留）：请腾出空间或换一个 --out",
        "{path}: {free} free; the build needs about {need} (the new period folder is made beside {final}, "
        "which stays until it is complete): free some space or choose another --out"),
    "build.locked": ("{path}：另一个 `kamreport build`{who} 正在写入这个文件夹；请等它结束后再试",
                     "{path}: another `kamreport build`{who} is writing into this folder; "
                     "try again when it has finished"),
    "build.locked_by": ("（进程 {pid}）", " (pid {pid})"),
    "build.send_running": (
        "{path}：{label} 的 `kamreport send` 等了 {wait:.0f} 秒仍在运行；新生成的结果没有放入（{final} 保持原样）："
        "请在发送结束后重新生成",
        "{path}: a `kamreport send` of {label} is still running after {wait:.0f} s; the new build was not "
        "put in place ({final} is left as it was): build again when the send has finished"),
    "build.nothing_built": ("没有生成任何文件", "nothing was built"),
    "build.wrote": ("已在 {seconds:.1f} 秒内把 {files} 个文件写入 {path}（{plans} 份客户计划，{warnings} 条警告）",
                    "wrote {files} files to {path} in {seconds:.1f} s ({plans} account plans, {warnings} warnings)"),
    "build.booklet": ("报告册：{path} · ", "booklet: {path} · "),
    "build.high_risks": ("{customers}共有 {risks}", "{risks} across {customers}"),
    "build.n_high_risks": ("{n} 项高风险", ("{n} high risk", "{n} high risks")),
    "build.n_customers": ("{n} 个客户", ("{n} customer", "{n} customers")),
    "build.no_high_risks": ("没有高风险", "no high risks"),
    "build.logo_too_big": ("徽标 {path}：大于 {limit} MB，未使用", "logo {path}: larger than {limit} MB, not used"),
    "build.logo_unreadable": ("徽标 {path}：无法读取（{reason}），未使用", "logo {path}: cannot be read ({reason}), not used"),
    "build.logo_not_image": ("徽标 {path}：不是 PNG、JPEG 或 SVG 图片，未使用",
                             "logo {path}: not a PNG, JPEG or SVG image, not used"),
    "build.deck_logo": ("徽标 {path}：booklet.pptx 只接受不超过 {limit} MB 的 PNG 或 JPEG 徽标；演示文稿中不放徽标",
                        "logo {path}: booklet.pptx takes a PNG or JPEG logo of at most {limit} MB; the deck has none"),
    "build.subset_slow": ("字体改用 fontTools 做子集（较慢）：请安装 libharfbuzz-subset0（HarfBuzz ≥ 4.1）",
                          "fonts were subset with fontTools (slow): install libharfbuzz-subset0 (HarfBuzz ≥ 4.1)"),
    "build.subset_will_be_slow": ("字体将用 fontTools 做子集（较慢）：{problem}；请安装 libharfbuzz-subset0",
                                  "fonts will be subset with fontTools (slow): {problem}; install libharfbuzz-subset0"),
    "build.no_harfbuzz_subset": ("没有安装 libharfbuzz-subset", "libharfbuzz-subset is not installed"),
    "build.old_harfbuzz": ("HarfBuzz 版本低于 4.1", "HarfBuzz is older than 4.1"),
    "build.rendered": ("已渲染 {what}", "rendered {what}"),
    "build.waiting_build": ("正在等待另一个写入 {path} 的 `kamreport build`",
                            "waiting for another `kamreport build` writing into {path}"),
    "build.waiting_send": ("正在等待 `kamreport send` 结束（{path}）", "waiting for `kamreport send` to finish ({path})"),
    "build.put_back": ("{path}：已放回上一次的生成结果（它被一次中途停止的生成移到了一边）",
                       "{path}: put back the previous build, set aside by a build that was stopped"),
    "build.removed_leftover": ("已删除 {path}（一次中途停止的生成留下的）", "removed {path}, left by a build that was stopped"),
    "build.strict": ("--strict：有 {n} 行被拒绝（见 problems.csv）", "--strict: {n} rows were rejected (see problems.csv)"),

    # ---- templates (build/jobs.py)
    "template.outside": (
        "--templates {folder}：{template} 指向该文件夹之外（{real}）；请把文件复制到该文件夹里，不要用链接",
        "--templates {folder}: {template} leads outside that folder (to {real}); "
        "copy the file into the folder instead of linking it"),
    "template.syntax": ("模板 {name} 第 {line} 行：{message}", "template {name}, line {line}: {message}"),
    "template.not_found": ("找不到模板 {name}（内置模板和 --templates 文件夹里都没有）",
                           "template {name} not found (packaged templates or --templates folder)"),
    "template.error": ("模板 {name}：{message}", "template {name}: {message}"),
    "template.raised": ("模板 {where}：{kind}: {message}", "template {where}: {kind}: {message}"),
    "template.no_blocks": ("模板 {name}：content 块里没有 cover/contents 块",
                           "template {name}: no cover/contents blocks inside its content block"),

    # ---- kamreport send (deliver/send.py): settings and addresses
    "send.security": ("KAMREPORT_SMTP_SECURITY={value!r} 不可用；请设为 starttls（默认）、ssl 或 none",
                      "KAMREPORT_SMTP_SECURITY={value!r} is not accepted; use starttls (default), ssl or none"),
    "send.port": ("KAMREPORT_SMTP_PORT={value!r} 不是有效端口；请填 1–65535 之间的数字（{security} 默认 {default}）",
                  "KAMREPORT_SMTP_PORT={value!r} is not a port; use a number 1–65535 (default {default} for {security})"),
    "send.cafile_missing": (
        "KAMREPORT_SMTP_CAFILE={path}：文件不存在；请指定为邮件服务器证书签名的 CA 的 PEM 文件",
        "KAMREPORT_SMTP_CAFILE={path}: no such file; give the PEM file of "
        "the CA that signed the mail server's certificate"),
    "send.seconds": ("{name}={value!r} 不可用；请填秒数，大于 0 且不超过 86400（默认 {default:g}）",
                     "{name}={value!r} is not accepted; give seconds, more than 0 and at most 86400 (default {default:g})"),
    "send.control_char": (
        "{what} 含有控制字符（第 {position} 个字符，U+{code}）：{shown!r}；只接受单行的可打印文字",
        "{what} contains a control character (U+{code} at position {position}) in {shown!r}; "
        "only printable text on one line is accepted"),
    "send.bad_address": (
        "{what}：{value!r} 不是有效的邮箱地址；请写成 name@example.com 或 'Name <name@example.com>' 的形式",
        "{what}: {value!r} is not a valid e-mail address; "
        "use an address such as name@example.com or 'Name <name@example.com>'"),
    "send.what.mail_to": ("mail_to 设置（在 {path} 中）", "the mail_to setting (in {path})"),
    "send.what.user_sender": ("KAMREPORT_SMTP_USER（用作发件人）", "KAMREPORT_SMTP_USER (used as sender)"),
    "send.what.manager": ("客户经理姓名 {name!r}（在 {path} 中）", "account manager name {name!r} (in {path})"),
    "send.what.staff_email": ("{name} 的 Staff 邮箱（在 {path} 中）", "the Staff email of {name} (in {path})"),
    "send.what.pack_subject": ("{name} 的资料包的邮件主题", "mail subject of {name}'s pack"),
    "send.what.subject": ("邮件主题（来自 {path} 中的 mail_subject 或 company 设置）",
                          "mail subject (the mail_subject setting or company in {path})"),
    "send.no_mail_from": (
        "没有设置 KAMREPORT_MAIL_FROM；请给出发件人地址，例如 KAMREPORT_MAIL_FROM='KAM reports <kam@example.com>'",
        "KAMREPORT_MAIL_FROM is not set; give the sender address, "
        "e.g. KAMREPORT_MAIL_FROM='KAM reports <kam@example.com>'"),
    "send.no_recipient": ("没有收件人：请用 --to ADDRESS 指定，或在工作簿的 Settings 表中设置 mail_to",
                          "no recipient: give --to ADDRESS or set mail_to in the workbook's Settings sheet"),
    "send.no_host": ("没有设置 KAMREPORT_SMTP_HOST；请给出邮件服务器（或用 --dry-run 改为写出 .eml 文件）",
                     "KAMREPORT_SMTP_HOST is not set; give the mail server "
                     "(or use --dry-run to write .eml files instead)"),

    # ---- send: the built period and its files
    "send.nothing_built": (
        "{root}：没有已生成的报告期（找不到 {root}/<period>/summary.json）；请先运行 `kamreport build WORKBOOK --out {root}`",
        "{root}: no built period found (no {root}/<period>/summary.json); "
        "run `kamreport build WORKBOOK --out {root}` first"),
    "send.not_built": (
        "{folder}：报告期 {label} 还没有生成（缺少 {summary}；{root} 中已生成的报告期：{others}）；"
        "请先运行 `kamreport build WORKBOOK --period {label} --out {root}`",
        "{folder}: period {label} has not been built ({summary} is missing; "
        "built periods in {root}: {others}); run `kamreport build WORKBOOK "
        "--period {label} --out {root}` first"),
    "send.none_built": ("无", "none"),
    "send.summary_unreadable": ("{path}：无法按 JSON 读取（{reason}）；请重新生成该报告期",
                                "{path}: cannot read it as JSON ({reason}); rebuild the period"),
    "send.not_summary": (
        "{path}：不是 kamreport 的 summary（没有 \"schema\": \"kamreport.summary/1\"）；请重新生成该报告期",
        "{path}: not a kamreport summary (no \"schema\": \"kamreport.summary/1\"); rebuild the period"),
    "send.fatal_build": (
        "{path}：{label} 的生成有 {fatal} 个致命问题（见 {problems}）；生成无误之前不会发送任何邮件",
        "{path}: the build of {label} had {fatal} fatal problem(s) "
        "(see {problems}); nothing is sent until a clean build"),
    "send.no_booklet": (
        "{folder}：缺少 booklet.pdf；发送前请以 PDF 输出生成该报告期（`--format html,pdf,json`）",
        "{folder}: booklet.pdf is missing; build the period with PDF output "
        "(`--format html,pdf,json`) before sending"),
    "send.plan_outside": ("{path}：客户计划文件 {file!r} 不在 {folder} 之内；请重新生成该报告期",
                          "{path}: account file {file!r} is outside {folder}; rebuild the period"),
    "send.plan_missing": ("{path}：summary.json 中列出的客户计划不存在；请重新生成该报告期",
                          "{path}: account plan listed in summary.json is missing; rebuild the period"),
    "send.no_packs": (
        "{path}：这次生成没有客户经理资料包；请先用 `--packs managers` 生成该报告期，再运行 `send --per-manager`",
        "{path}: no manager packs in this build; build the period with "
        "`--packs managers` before `send --per-manager`"),
    "send.pack_outside": ("{path}：资料包文件 {file!r} 不在 {folder} 之内；请重新生成该报告期",
                          "{path}: pack file {file!r} is outside {folder}; rebuild the period"),
    "send.pack_missing": ("{path}：summary.json 中列出的客户经理资料包不存在；请重新生成该报告期",
                          "{path}: manager pack listed in summary.json is missing; rebuild the period"),
    "send.no_staff_email": ("{name}：Staff 表中没有邮箱；{file} 未发送",
                            "{name}: no email in the Staff sheet; {file} not sent"),
    "send.no_pack_email": ("没有任何客户经理资料包带有 Staff 邮箱：{label} 没有可发送的邮件",
                           "no manager pack has a Staff email: nothing to send for {label}"),
    "send.big": ("注意：附件共 {size}；许多邮件服务器会拒收超过 20–25 MB 的邮件",
                 "note: the attachments are {size}; many mail servers refuse messages above 20–25 MB"),

    # ---- send: the send log and its lock
    "send.log_unreadable": (
        "{path}：发送记录无法读取（{reason}）；请修复或删除它（删除后所有收件人都会再收到一次邮件）",
        "{path}: the send log is unreadable ({reason}); fix or delete it "
        "(deleting it lets everyone be mailed again)"),
    "send.lock_failed": (
        "{path}：无法创建发送锁（{reason}），没有发送任何邮件。发送记录就保存在这里：请让这个文件夹可写（或腾出空间）",
        "{path}: cannot create the send lock ({reason}); nothing was sent. "
        "The send log lives there: make the folder writable (or free space)"),
    "send.locked": ("{path}：该报告期的另一个 `kamreport send` 正在运行；请等它结束后再试",
                    "{path}: another `kamreport send` for this period is running; try again when it has finished"),
    "send.mail_dir_is_file": ("{path}：这是一个文件，不是存放发送记录的文件夹；请把它移走（没有发送任何邮件）",
                              "{path}: is a file, not the folder of the send log; move it away (nothing was sent)"),
    "send.cannot_write": ("{path}：无法写入（{reason}）", "{path}: cannot write it ({reason})"),

    # ---- send: what a run did
    "send.wrote": ("已写入 {path}{note}", "wrote {path}{note}"),
    "send.dry_maybe": ("（可能已送达；正式发送时不加 --resend 会跳过它）",
                       " (may have been delivered; a real send would skip it without --resend)"),
    "send.dry_sent": ("（已发送过；正式发送时不加 --resend 会跳过它）",
                      " (already sent; a real send would skip it without --resend)"),
    "send.dry_packs": ("试运行：没有发送任何邮件（{n} 封，每封一个资料包，最大 {size}）",
                       "dry run: nothing sent ({n} message(s), one pack each, the largest {size})"),
    "send.dry_run": ("试运行：没有发送任何邮件（{n} 封，{attachments} 个附件，{size}）",
                     "dry run: nothing sent ({n} message(s), {attachments} attachment(s), {size})"),
    "send.skipped_maybe": ("已跳过 {addr}：{what} 可能已于 {at} 送达（{how}{mid}）；如需再发，请加 --resend",
                           "skipped {addr}: {what} may have been delivered at {at} ({how}{mid}); "
                           "use --resend to send again"),
    "send.how_uncertain": ("邮件交给服务器后连接中断", "the connection broke after the message was handed over"),
    "send.how_interrupted": ("发送中途被中断", "the send was interrupted mid-delivery"),
    "send.message_id": ("，Message-ID {id}", ", Message-ID {id}"),
    "send.skipped_sent": ("已跳过 {addr}：{what} 已于 {at} 发送过{changed}；如需再发，请加 --resend",
                          "skipped {addr}: {what} already sent at {at}{changed}; use --resend to send again"),
    "send.changed": ("（此后 PDF 有了变化）", " (the PDFs have changed since)"),
    "send.sent": ("已通过 {server} 把 {what} 发送给 {addr}（{n} 个附件，{size}）",
                  "sent {what} to {addr} via {server} ({n} attachment(s), {size})"),
    "send.refused": ("{server}：{what}被拒绝（{reply}）", "{server}: {what} refused ({reply})"),
    "send.refused_for_now": ("{server}：{what}暂时被拒绝（{reply}）；重新运行时会再试",
                             "{server}: {what} refused for now ({reply}); a rerun tries again"),
    "send.what.recipient": ("收件人 {addr} ", "recipient {addr}"),
    "send.what.message_to": ("发给 {addr} 的邮件", "message to {addr}"),

    # ---- send: the SMTP conversation
    "send.user_no_password": ("{server}：设置了 KAMREPORT_SMTP_USER，但 KAMREPORT_SMTP_PASSWORD 为空",
                              "{server}: KAMREPORT_SMTP_USER is set but KAMREPORT_SMTP_PASSWORD is empty"),
    "send.password_no_user": ("{server}：设置了 KAMREPORT_SMTP_PASSWORD，但 KAMREPORT_SMTP_USER 为空",
                              "{server}: KAMREPORT_SMTP_PASSWORD is set but KAMREPORT_SMTP_USER is empty"),
    "send.plain_password": ("{server}：拒绝以明文发送 SMTP 密码（KAMREPORT_SMTP_SECURITY=none）；请改用 starttls 或 ssl",
                            "{server}: refusing to send the SMTP password unencrypted "
                            "(KAMREPORT_SMTP_SECURITY=none); use starttls or ssl"),
    "send.cafile_bad": ("KAMREPORT_SMTP_CAFILE={path}：不是 PEM 证书文件（{reason}）",
                        "KAMREPORT_SMTP_CAFILE={path}: not a PEM certificate file ({reason})"),
    "send.no_starttls": (
        "{server}：服务器不支持 STARTTLS，拒绝以明文发送（KAMREPORT_SMTP_SECURITY=starttls）。"
        "如果服务器使用隐式 TLS（通常是 465 端口），请改用 ssl",
        "{server}: the server does not offer STARTTLS; refusing to send in "
        "plain text (KAMREPORT_SMTP_SECURITY=starttls). Use ssl if the server "
        "speaks implicit TLS (usually port 465)"),
    "send.no_auth": (
        "{server}：服务器不提供 AUTH，用户 {user!r} 无法登录；如果它不需要登录，请取消设置 KAMREPORT_SMTP_USER/PASSWORD",
        "{server}: the server offers no AUTH, so user {user!r} cannot log in; "
        "unset KAMREPORT_SMTP_USER/PASSWORD if it needs no login"),
    "send.step.connect": ("连接", "connect"),
    "send.step.greet": ("问候（EHLO）", "greet"),
    "send.step.starttls": ("STARTTLS", "starttls"),
    "send.step.login": ("登录", "login"),
    "send.cert": ("{server}：TLS 证书不受信任（{reason}）；如果服务器使用私有 CA，请把 KAMREPORT_SMTP_CAFILE 设为该 CA 的 PEM 文件",
                  "{server}: TLS certificate not trusted ({reason}); if the server uses a "
                  "private CA, set KAMREPORT_SMTP_CAFILE to that CA's PEM file"),
    "send.tls": ("{server}：{step}时 TLS 失败（{reason}）", "{server}: TLS failed during {step} ({reason})"),
    "send.login_refused": ("{server}：用户 {user!r} 登录被拒绝（{reply}）",
                           "{server}: login refused for user {user!r} ({reply})"),
    "send.busy_during": ("{server}：服务器繁忙，请稍后再试（{reply}；在{step}时）；没有发送任何邮件",
                         "{server}: server busy, try later ({reply}; during {step}); nothing was sent"),
    "send.temporary": ("{server}：{step}时出现临时故障，请稍后再试（{reply}）；没有发送任何邮件",
                       "{server}: temporary failure during {step}, try later ({reply}); nothing was sent"),
    "send.step_refused": ("{server}：服务器拒绝了{step}（{reply}）", "{server}: server refused {step} ({reply})"),
    "send.stalled": ("{server}：{step}时{why}；没有发送任何邮件", "{server}: {why} during {step}; nothing was sent"),
    "send.step_timeout": ("{server}：{step}时超时（{timeout:g} 秒后）",
                          "{server}: timed out during {step} (after {timeout:g} s)"),
    "send.cannot_connect": ("{server}：无法连接（{reason}）", "{server}: cannot connect ({reason})"),
    "send.step_failed": ("{server}：{step}时连接失败（{reason}）",
                         "{server}: connection failed during {step} ({reason})"),
    "send.step_crashed": ("{server}：{step}失败（{kind}: {reason}）", "{server}: {step} failed ({kind}: {reason})"),
    "send.why.deadline": ("整个发送超过了 {deadline:g} 秒的期限（KAMREPORT_SMTP_DEADLINE）",
                          "the whole send took longer than its deadline of {deadline:g} s (KAMREPORT_SMTP_DEADLINE)"),
    "send.why.final": ("邮件发完后 {after:g} 秒内没有收到回复（{steps} × KAMREPORT_SMTP_TIMEOUT）",
                       "no reply to the end of the message within {after:g} s ({steps} × KAMREPORT_SMTP_TIMEOUT)"),
    "send.why.stalled": ("{after:g} 秒内没有进展（KAMREPORT_SMTP_TIMEOUT）",
                         "no progress within {after:g} s (KAMREPORT_SMTP_TIMEOUT)"),
    "send.why.closed": ("服务器关闭了连接", "the server closed the connection"),
    "send.why.timeout": ("{timeout:g} 秒后超时", "timed out after {timeout:g} s"),

    # ---- send: a delivery that stopped the run
    "send.more_not_tried": ("；另有 {n} 个收件人没有尝试，重新运行时会发给他们",
                            "; {n} more recipient(s) not tried, a rerun sends them"),
    "send.log_before": (
        "{path}：无法写入发送记录（{reason}）；已在发给 {addr} 之前停止（{n} 个收件人未发送）："
        "无法记录的投递在重新运行时可能被重复发送",
        "{path}: cannot write the send log ({reason}); stopped before sending to {addr} "
        "({n} recipient(s) not sent): a delivery that cannot be recorded could be repeated by a rerun"),
    "send.log_after_refusal": (
        "{path}：{addr} 被拒收（{reply}）后无法写入发送记录（{reason}）；已停止。记录中 {addr} 仍是 'sending'，"
        "重新运行时要加 --resend 才会发给它",
        "{path}: cannot write the send log ({reason}) after {addr} was refused ({reply}); stopped. "
        "The log still says 'sending' for {addr}, so a rerun needs --resend for it"),
    "send.busy": ("{server}：服务器繁忙，请稍后再试（{reply}）；{addr} 未发送{rest}",
                  "{server}: server busy, try later ({reply}); {addr} was not sent{rest}"),
    "send.sender_for_now": ("{server}：发件人 {sender} 暂时被拒绝，请稍后再试（{reply}）；{addr} 未发送{rest}",
                            "{server}: sender {sender} refused for now, try later ({reply}); {addr} was not sent{rest}"),
    "send.sender_refused": ("{server}：发件人 {sender} 被拒绝（{reply}）；请检查 KAMREPORT_MAIL_FROM",
                            "{server}: sender {sender} refused ({reply}); check KAMREPORT_MAIL_FROM"),
    "send.broke_after": (
        "{server}：发给 {addr} 的邮件交给服务器后连接中断（{why}）；邮件可能已经送达，所以不加 --resend 不会再发{rest}",
        "{server}: the connection broke after the message to {addr} was handed over ({why}); "
        "it may have been delivered, so it is not sent again without --resend{rest}"),
    "send.broke": ("{server}：发给 {addr} 时连接失败（{why}）；邮件没有送达{note}",
                   "{server}: connection failed while sending to {addr} ({why}); it was not delivered{note}"),
    "send.log_unwritable_note": ("；发送记录无法写入（{reason}），重新运行时要加 --resend 才会发给 {addr}",
                                 "; the send log cannot be written ({reason}), so a rerun needs --resend for {addr}"),
    "send.log_after": (
        "{path}：无法写入发送记录（{reason}）；{addr} 已收到 {label}，但记录仍是 'sending'，"
        "重新运行时会报告为“可能已送达”；已在下一个收件人之前停止{rest}",
        "{path}: cannot write the send log ({reason}); {addr} was sent {label} but stays recorded as "
        "'sending', so a rerun reports it as may have been delivered; stopped before the next recipient{rest}"),
}
