package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

// wins runs try n times at once and counts the calls that report true: how
// many of n concurrent attempts at a one-time change (revoke, disable) won.
func wins(t *testing.T, n int, try func(i int) (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range n {
		wg.Go(func() {
			ok, err := try(i)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return won
}

// mustSegment creates a segment and puts users in it.
func mustSegment(t *testing.T, s auth.Store, name string, weight float64, users ...*townhall.User) *townhall.Segment {
	t.Helper()
	ctx := context.Background()
	seg := &townhall.Segment{ID: townhall.NewID(), Name: name, Weight: weight}
	if err := s.SaveSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := s.SetUserSegment(ctx, u.ID, seg.ID); err != nil {
			t.Fatal(err)
		}
	}
	return seg
}
