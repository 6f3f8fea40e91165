package gate

import (
	"context"
	"sync"
	"time"
)

// budget is a context that ends when its parent does or at a deadline,
// whichever comes first: context.WithTimeout's contract, for the one use
// the gate has. (The standard one brings cancellation trees and AfterFunc
// machinery the gate never uses, at a cost in Worker size.)
type budget struct {
	context.Context
	deadline time.Time
	done     chan struct{}

	mu  sync.Mutex
	err error
}

// withBudget returns ctx bounded by d, and a function to call once the
// caller is done with it, which releases its timer and goroutine.
func withBudget(ctx context.Context, d time.Duration) (context.Context, func()) {
	b := &budget{Context: ctx, deadline: time.Now().Add(d), done: make(chan struct{})}
	if dl, ok := ctx.Deadline(); ok && dl.Before(b.deadline) {
		b.deadline = dl
	}

	timer := time.NewTimer(time.Until(b.deadline))
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			b.end(ctx.Err())
		case <-timer.C:
			b.end(context.DeadlineExceeded)
		case <-stop:
			b.end(context.Canceled)
		}
		timer.Stop()
	}()

	var once sync.Once
	return b, func() { once.Do(func() { close(stop) }) }
}

func (b *budget) end(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.err = err
	close(b.done)
}

func (b *budget) Deadline() (time.Time, bool) { return b.deadline, true }
func (b *budget) Done() <-chan struct{}       { return b.done }

func (b *budget) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
