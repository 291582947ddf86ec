package transport

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadResponse: no answer, however broken, panics the reader or makes it
// keep more body than asked.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\ngoo\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nnochg",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := readResponse(bufio.NewReader(bytes.NewReader(data)), 32)
		if err == nil && len(resp.Body) > 32 {
			t.Errorf("kept %d body bytes of at most 32", len(resp.Body))
		}
	})
}
