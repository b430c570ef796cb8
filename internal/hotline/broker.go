package hotline

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event is what an operator's console is told about a call as it happens.
type Event struct {
	// ID orders events for replay: the publisher's wall clock in
	// nanoseconds, the same in every process that relays the event, so a
	// console that reconnects to another web process can still say which
	// events it has seen (SSE Last-Event-ID).
	ID           int64     `json:"id"`
	Event        string    `json:"event"` // newCall, answer, hangup
	CallID       string    `json:"call_id"`
	Phone        string    `json:"phone"`   // E.164 where it parses
	Display      string    `json:"display"` // the number as staff read it
	Direction    string    `json:"direction"`
	OperatorName string    `json:"operator_name,omitempty"`
	Missed       bool      `json:"missed,omitempty"`
	Blocked      bool      `json:"blocked,omitempty"`
	At           time.Time `json:"at"`
}

// Broker fans call events out to the consoles connected to this process.
// With Redis it publishes through a pub/sub channel that every web process
// subscribes to, so an event posted by the PBX to any process reaches the
// operators connected to all of them. Without Redis it delivers locally.
type Broker struct {
	Redis   redis.UniversalClient // nil: this process only
	Channel string                // pub/sub channel; one per deployment
	Log     *slog.Logger

	mu     sync.Mutex
	subs   map[chan Event]struct{}
	recent []Event // the last replayKeep events, oldest first
	closed bool
	ready  chan struct{}
	once   sync.Once
}

// subBuffer is how many events a slow console may fall behind before it
// misses some; a console shows only the latest call, so dropping is fine.
const subBuffer = 32

// replayKeep is how many recent events each process keeps for consoles
// that reconnect: an event stream is cut at least once a minute (the
// server's write timeout) and an incoming call must not fall into the gap.
const replayKeep = 64

// Subscribe registers a console. The channel closes when the broker stops;
// call cancel when the console goes away.
func (b *Broker) Subscribe() (<-chan Event, func()) { return b.SubscribeAfter(0) }

// SubscribeAfter registers a console that has already seen the events up
// to ID after (its SSE Last-Event-ID); the recent events after it are
// delivered first. after = 0 replays nothing.
func (b *Broker) SubscribeAfter(after int64) (<-chan Event, func()) {
	ch := make(chan Event, subBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	if b.subs == nil {
		b.subs = map[chan Event]struct{}{}
	}
	if after > 0 {
		for _, ev := range b.recent {
			if ev.ID > after && len(ch) < cap(ch) {
				ch <- ev
			}
		}
	}
	b.subs[ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}

// Subscribers counts the consoles connected to this process.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Publish sends ev to every console. If Redis refuses, the event still
// reaches this process's consoles.
func (b *Broker) Publish(ctx context.Context, ev Event) {
	if ev.ID == 0 {
		ev.ID = time.Now().UnixNano()
	}
	if b.Redis != nil {
		msg, _ := json.Marshal(ev)
		err := b.Redis.Publish(ctx, b.Channel, msg).Err()
		if err == nil {
			return
		}
		b.Log.Warn("console events: publish failed; delivering to this process only", "err", err)
	}
	b.fanout(ev)
}

func (b *Broker) fanout(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.recent) == replayKeep {
		b.recent = append(b.recent[:0], b.recent[1:]...)
	}
	b.recent = append(b.recent, ev)
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
			b.Log.Warn("console events: a console is too slow; event dropped", "call", ev.CallID)
		}
	}
}

// Ready is closed once Run listens, so that no event published after it
// can be missed by this process.
func (b *Broker) Ready() <-chan struct{} {
	b.once.Do(func() { b.ready = make(chan struct{}) })
	return b.ready
}

// Run relays events from Redis to this process's consoles until ctx ends,
// then closes every subscription so that open event streams finish and
// the web server can drain.
func (b *Broker) Run(ctx context.Context) {
	b.Ready()
	ready := b.ready
	defer b.closeAll()
	if b.Redis == nil {
		close(ready)
		<-ctx.Done()
		return
	}
	ps := b.Redis.Subscribe(ctx, b.Channel)
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil && ctx.Err() == nil {
		b.Log.Warn("console events: subscribe failed; go-redis keeps retrying", "err", err)
	}
	close(ready)
	msgs := ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			var ev Event
			if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil {
				b.Log.Warn("console events: bad message", "err", err)
				continue
			}
			b.fanout(ev)
		}
	}
}

func (b *Broker) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		close(ch)
	}
	b.subs = nil
}
