"""Puts an invoice on the region's queue (the Lambda handler the extension deploys in every region)."""

import json
import os

import boto3


def handler(event, context):
    queue_url = os.environ["INVOICES_QUEUE_URL"]
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(event))
    return {"queued": True}
