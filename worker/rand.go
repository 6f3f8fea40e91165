//go:build js && wasm

package main

import (
	"crypto/rand"
	"sync"
)

// blockRand is crypto/rand read a block at a time. On js/wasm each read of
// crypto/rand is a call out to the Web Crypto API through syscall/js, with
// an array made and freed on the JavaScript side; a redirect to sign in
// reads four times (state, two cookie nonces, request id), and those calls
// measured a quarter of its cost in V8. One call now serves about sixty
// redirects. The bytes are the same crypto/rand bytes, handed out once
// each; they wait in this isolate's memory, which nothing else can read.
type blockRand struct {
	mu   sync.Mutex
	buf  [4096]byte
	next int // buf[next:] is unused
}

func newBlockRand() *blockRand {
	return &blockRand{next: len(blockRand{}.buf)}
}

// Read fills p. It never fails: crypto/rand.Read does not return errors.
func (b *blockRand) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	n := 0
	for n < len(p) {
		if b.next == len(b.buf) {
			rand.Read(b.buf[:])
			b.next = 0
		}
		c := copy(p[n:], b.buf[b.next:])
		clear(b.buf[b.next : b.next+c])
		b.next += c
		n += c
	}
	return n, nil
}
