// Package workers holds civicdesk's asynq task types, their payloads and
// constructors, and the handlers that run them. Tasks carry IDs, never
// documents: every handler re-reads Mongo and is idempotent, so a task run
// twice, late, or after a Redis flush does no harm.
package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Task types.
const (
	TypeIntakeProcess = "intake:process"
	TypeTicketIndex   = "ticket:index"
)

// Queue names and their weights. Intake is what citizens wait on.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// QueueWeights is the asynq Queues setting every worker uses.
var QueueWeights = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// IntakePayload names the submission to turn into a ticket.
type IntakePayload struct {
	SubmissionID string `json:"submission_id"`
}

// NewIntakeTask builds an intake:process task. Its TaskID is derived from
// the submission, so the API, the reconciler and a retry can all enqueue it
// and only one copy is ever queued.
func NewIntakeTask(submissionID string) (*asynq.Task, error) {
	b, err := json.Marshal(IntakePayload{SubmissionID: submissionID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeIntakeProcess, b,
		asynq.TaskID(IntakeTaskID(submissionID)), asynq.Queue(QueueCritical),
		asynq.MaxRetry(25), asynq.Timeout(2*time.Minute)), nil
}

// IntakeTaskID is the deterministic asynq task id of a submission's intake.
func IntakeTaskID(submissionID string) string { return "intake:" + submissionID }

// TicketIndexPayload names the ticket to (re)index.
type TicketIndexPayload struct {
	TicketID string `json:"ticket_id"`
}

// NewTicketIndexTask builds a ticket:index task. It has no TaskID on
// purpose: a change made while an earlier index task is running must still
// be indexed, and indexing the same ticket twice is harmless.
func NewTicketIndexTask(ticketID string) (*asynq.Task, error) {
	b, err := json.Marshal(TicketIndexPayload{TicketID: ticketID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeTicketIndex, b, asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(time.Minute)), nil
}

// decode unmarshals a payload; a malformed one can never succeed, so it is
// not retried.
func decode(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		return fmt.Errorf("malformed %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// Queue enqueues civicdesk tasks.
type Queue struct {
	Client    *asynq.Client
	Inspector *asynq.Inspector
}

// EnqueueIntake queues a submission for processing. When its task is
// already queued nothing is added. When an earlier copy died in the archive
// (retries exhausted) it is brought back to pending: a stored submission
// must always reach a ticket.
func (q *Queue) EnqueueIntake(ctx context.Context, submissionID string) error {
	_, err := q.enqueueIntake(ctx, submissionID, false)
	return err
}

// RequeueIntake is EnqueueIntake for a submission that has waited past the
// reconciler's grace period. If its task is still "active", the worker that
// took it may have died holding it: asynq gives such a task back only after
// its lease lapses and the recoverer's next pass, minutes later. So a second
// copy is queued under another id (one per minute at most). The handler is
// idempotent, so whichever copy runs second changes nothing. It reports
// whether anything was queued.
func (q *Queue) RequeueIntake(ctx context.Context, submissionID string) (bool, error) {
	return q.enqueueIntake(ctx, submissionID, true)
}

func (q *Queue) enqueueIntake(ctx context.Context, submissionID string, stale bool) (bool, error) {
	t, err := NewIntakeTask(submissionID)
	if err != nil {
		return false, err
	}
	_, err = q.Client.EnqueueContext(ctx, t)
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		return err == nil, err
	}
	info, ierr := q.Inspector.GetTaskInfo(QueueCritical, IntakeTaskID(submissionID))
	switch {
	case ierr != nil:
		return false, nil // it finished between the two calls
	case info.State == asynq.TaskStateArchived:
		return true, q.Inspector.RunTask(QueueCritical, info.ID)
	case info.State == asynq.TaskStateActive && stale:
		copyID := fmt.Sprintf("%s:again:%d", IntakeTaskID(submissionID), time.Now().Unix()/60)
		_, err := q.Client.EnqueueContext(ctx, t, asynq.TaskID(copyID))
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			return false, nil
		}
		return err == nil, err
	}
	return false, nil
}

// EnqueueIndex queues a ticket for indexing.
func (q *Queue) EnqueueIndex(ctx context.Context, ticketID string) error {
	t, err := NewTicketIndexTask(ticketID)
	if err != nil {
		return err
	}
	_, err = q.Client.EnqueueContext(ctx, t)
	return err
}

// Depth reports tasks per queue and state, for the metrics gauge.
func (q *Queue) Depth() map[string]map[string]int {
	out := map[string]map[string]int{}
	for name := range QueueWeights {
		info, err := q.Inspector.GetQueueInfo(name)
		if err != nil {
			continue // a queue that never had a task does not exist yet
		}
		out[name] = map[string]int{
			"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived,
		}
	}
	return out
}
