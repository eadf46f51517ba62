"""Terraform template expressions: what a value refers to, and every literal it holds."""

from __future__ import annotations

import pytest

from residency.guard.terraform_json.expressions import (
    Call,
    Conditional,
    ExpressionError,
    For,
    Template,
    address,
    literal_strings,
    parse_template,
    sole_expression,
    traversals,
)


def refs(text: str) -> list[str]:
    found = []
    for traversal in traversals(parse_template(text)):
        steps = ".".join(str(step) for step in traversal.steps if isinstance(step, str | int))
        found.append(f"{traversal.root}.{steps}" if steps else traversal.root)
    return found


@pytest.mark.parametrize("text, expected", [
    ("plain", []),
    ("${aws_s3_bucket.b.arn}", ["aws_s3_bucket.b.arn"]),
    ("${aws_s3_bucket.b.arn}/*", ["aws_s3_bucket.b.arn"]),
    ("arn:aws:kms:eu-central-1:${data.aws_caller_identity.a.account_id}:key/*",
     ["data.aws_caller_identity.a.account_id"]),
    ('${replace(data.terraform_remote_state.cross-stack-us-east-1.outputs.x, "https://", "")}',
     ["data.terraform_remote_state.cross-stack-us-east-1.outputs.x"]),
    ('${format("%s}", aws_sqs_queue.q.arn)}', ["aws_sqs_queue.q.arn"]),  # a brace inside a string
    ('${var.a ? "us-east-1" : local.b[0].c}', ["var.a", "local.b.0.c"]),
    ('${[for r in var.regions : "arn:aws:s3:::${r}-b"]}', ["var.regions"]),  # `r` is bound by the for
    ("${{for k, v in local.m : k => v.arn if v.on}}", ["local.m"]),
    ('${aws_lambda_function.f.environment[0].variables["TARGET"]}',
     ["aws_lambda_function.f.environment.0.variables.TARGET"]),
    ("${aws_instance.x[*].id}", ["aws_instance.x.*.id"]),
    ("a $${not an interpolation} %{ if var.x }yes%{ else }no%{ endif }", ["var.x"]),
    ("${provider::aws::arn_parse(aws_s3_bucket.b.arn).region}", ["aws_s3_bucket.b.arn"]),
    ("<<EOT\n${aws_sqs_queue.q.url}\nEOT\n", ["aws_sqs_queue.q.url"]),  # text here, not a heredoc
    ('${jsonencode({"a" = aws_sqs_queue.q.arn, b: [1, -2.5e3, null, true]})}', ["aws_sqs_queue.q.arn"]),
])
def test_references_are_found_through_any_nesting(text, expected):
    assert refs(text) == expected


def test_literals_inside_expressions_are_seen():
    template = parse_template('${join(":", ["arn", "aws", "s3", "", "", "someone-else"])}')
    assert "someone-else" in literal_strings(template)
    assert "us-east-1" in literal_strings(parse_template('${var.x ? "us-east-1" : "eu-central-1"}'))
    assert "a\\A" in literal_strings(parse_template('${upper("a\\\\\\u0041")}'))


def test_the_tree_has_the_shape_terraform_gives_it():
    assert isinstance(sole_expression(parse_template("${f(x)}")), Call)
    assert isinstance(sole_expression(parse_template("${a ? b : c}")), Conditional)
    assert isinstance(sole_expression(parse_template("${[for x in y : x]}")), For)
    assert sole_expression(parse_template("a${b}")) is None
    assert isinstance(parse_template("a${b}"), Template)
    found = address(traversals(parse_template("${data.aws_s3_bucket.b.arn}"))[0])
    assert found is not None and found[:3] == ("data", "aws_s3_bucket", "b")
    assert address(traversals(parse_template("${var.x}"))[0]) is None


@pytest.mark.parametrize("text", ["${", "${aws_x.", '${"abc}', "${a b}", "${f(}", "${[1,2}", "${a ? b}",
                                  "%{ bogus }", '${"\\q"}', "${{a = }}", "${1 +}"])
def test_what_terraform_would_not_parse_is_an_error(text):
    with pytest.raises(ExpressionError):
        parse_template(text)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(ExpressionError):
        parse_template("${" + "(" * 5000 + "1" + ")" * 5000 + "}")
