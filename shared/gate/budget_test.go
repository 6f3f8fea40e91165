package gate

import (
	"context"
	"testing"
	"time"
)

func TestBudgetEndsAtDeadline(t *testing.T) {
	ctx, release := withBudget(context.Background(), time.Millisecond)
	defer release()

	<-ctx.Done()
	if err := ctx.Err(); err != context.DeadlineExceeded {
		t.Errorf("Err() = %v; want %v", err, context.DeadlineExceeded)
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Errorf("Deadline() reports none; want one")
	}
}

func TestBudgetEndsWithParent(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	ctx, release := withBudget(parent, time.Hour)
	defer release()

	cancel()
	<-ctx.Done()
	if err := ctx.Err(); err != context.Canceled {
		t.Errorf("Err() = %v; want %v", err, context.Canceled)
	}
}

func TestBudgetKeepsEarlierParentDeadline(t *testing.T) {
	want := time.Now().Add(time.Minute)
	parent, cancel := context.WithDeadline(context.Background(), want)
	defer cancel()

	ctx, release := withBudget(parent, time.Hour)
	defer release()
	if got, _ := ctx.Deadline(); !got.Equal(want) {
		t.Errorf("Deadline() = %v; want the parent's %v", got, want)
	}
}

func TestBudgetRelease(t *testing.T) {
	ctx, release := withBudget(context.Background(), time.Hour)
	if ctx.Err() != nil {
		t.Fatalf("Err() = %v before release; want nil", ctx.Err())
	}

	release()
	release() // a second call is harmless
	<-ctx.Done()
	if err := ctx.Err(); err != context.Canceled {
		t.Errorf("Err() after release = %v; want %v", err, context.Canceled)
	}
}

func TestResolveDots(t *testing.T) {
	// RFC 3986 §5.2.4 and §5.4's examples, on paths.
	tests := []struct{ in, want string }{
		{"/a/b/c/./../../g", "/a/g"},
		{"/a/b/c/.", "/a/b/c/"},
		{"/a/b/c/..", "/a/b/"},
		{"/../g", "/g"},
		{"/_gate//../login", "/_gate/login"},
		{"/a//b", "/a//b"},
		{"/", "/"},
		{"/..", "/"},
	}
	for _, tt := range tests {
		if got := resolveDots(tt.in); got != tt.want {
			t.Errorf("resolveDots(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
