// SPDX-License-Identifier: Apache-2.0
/// @file aws.hpp The AWS wing (target mlpipe::aws): S3 blob store, SQS message queue, PostgreSQL
/// (RDS) data source, credentials, and the Lambda runtime; registers the `s3://`, `sqs://` and
/// `postgresql://` URI schemes.
#pragma once

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/s3_blob_store.hpp"
#include "aws/service.hpp"
#include "aws/sqs_message_queue.hpp"
