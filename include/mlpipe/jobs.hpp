// SPDX-License-Identifier: Apache-2.0
/// @file jobs.hpp Everything in jobs/: training requests, the trainer, training workers and pools,
/// the request journal and retraining triggers.
#pragma once

#include "jobs/estimators.hpp"
#include "jobs/request_journal.hpp"
#include "jobs/retraining.hpp"
#include "jobs/trainer.hpp"
#include "jobs/training_request.hpp"
#include "jobs/training_worker.hpp"
