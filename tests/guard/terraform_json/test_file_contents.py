"""file(), templatefile() and filebase64() rendered as Terraform renders them, before the rules look."""

from __future__ import annotations

import json
from pathlib import Path

from residency.guard.terraform_json.expressions import parse_template
from residency.guard.terraform_json.file_contents import render_files


def test_templatefile_renders_its_variables_as_their_expressions(tmp_path: Path) -> None:
    (tmp_path / "flow.json").write_text(json.dumps({"TableName": "${table}", "Next": "${stage}",
                                                     "Arn": "${lower(arn)}"}))
    rendered = render_files('${templatefile("${path.module}/flow.json", {table = aws_dynamodb_table.t.name, '
                            'stage = "done", arn = aws_sqs_queue.q.arn})}', tmp_path)
    assert json.loads(rendered) == {"TableName": "${aws_dynamodb_table.t.name}", "Next": "done",
                                    "Arn": "${lower(aws_sqs_queue.q.arn)}"}


def test_file_text_is_never_interpolated(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text('echo "${HOME}" %{ if x }')
    rendered = render_files('${file("run.sh")}', tmp_path)
    assert rendered == 'echo "$${HOME}" %%{ if x }'
    assert parse_template(rendered).parts == ('echo "${HOME}" %{ if x }',)


def test_a_call_inside_an_expression_becomes_a_string_in_it(tmp_path: Path) -> None:
    (tmp_path / "site.txt").write_text("datadoghq.com\n")
    rendered = render_files({"DD_SITE": '${trimspace(file("site.txt"))}'}, tmp_path)
    assert rendered == {"DD_SITE": '${trimspace("datadoghq.com\\n")}'}


def test_filebase64_is_judged_by_the_text_it_holds(tmp_path: Path) -> None:
    (tmp_path / "cfg.txt").write_text("host=db.partner.example")
    assert render_files('${filebase64("cfg.txt")}', tmp_path) == "host=db.partner.example"


def test_what_cannot_be_rendered_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "loop.tftpl").write_text("%{ for h in hosts }${h}%{ endfor }")
    (tmp_path / "image.bin").write_bytes(b"\xff\xfe\x00")
    for text in ('${file("missing.json")}', '${templatefile("loop.tftpl", {hosts = var.hosts})}',
                 '${file("image.bin")}', '${file(var.path)}', '${templatefile("loop.tftpl", {h = var.x.y})}'):
        assert render_files(text, tmp_path) == text
