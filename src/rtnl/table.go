package rtnl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Table is the kernel's devices and addresses as last reported.
type Table struct {
	mu    sync.RWMutex
	links map[int]Link
	addrs map[int][]Addr
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{links: map[int]Link{}, addrs: map[int][]Addr{}}
}

// Apply records one message; it returns the device whose addresses changed,
// or whose link went up or down, if any.
func (t *Table) Apply(m Message) (device string, changed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case m.Link != nil && m.Type == RTMNewLink:
		old, known := t.links[m.Link.Index]
		t.links[m.Link.Index] = *m.Link
		if known && old.Up != m.Link.Up {
			return m.Link.Name, true
		}
	case m.Link != nil && m.Type == RTMDelLink:
		name := t.links[m.Link.Index].Name
		delete(t.links, m.Link.Index)
		if len(t.addrs[m.Link.Index]) > 0 {
			delete(t.addrs, m.Link.Index)
			return name, true
		}
	case m.Addr != nil:
		a := *m.Addr
		list := slices.DeleteFunc(t.addrs[a.Index], func(x Addr) bool { return x.IP == a.IP })
		if m.Type == RTMNewAddr {
			list = append(list, a)
		}
		t.addrs[a.Index] = list
		return t.links[a.Index].Name, true
	}
	return "", false
}

// Addrs returns the addresses of the named device and whether the device exists.
func (t *Table) Addrs(device string) ([]Addr, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i, l := range t.links {
		if l.Name == device {
			return slices.Clone(t.addrs[i]), true
		}
	}
	return nil, false
}

// LinkUp reports whether the named device is up with a carrier; a device the
// table does not know is not reported down.
func (t *Table) LinkUp(device string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, l := range t.links {
		if l.Name == device {
			return l.Up
		}
	}
	return true
}

// sync dumps links, then addresses, into a new table, and swaps it in when
// the dump is complete: a lookup meanwhile sees the previous table, never a
// half-read one (after ENOBUFS a check would otherwise find its device
// gone). Notifications that arrive during the dump are applied too; the
// devices they change are passed to changed once the new table is in.
func (t *Table) sync(c *Conn, changed func(string)) error {
	fresh := NewTable()
	var devs []string
	for _, typ := range []uint16{RTMGetLink, RTMGetAddr} {
		seq, err := c.Dump(typ)
		if err != nil {
			return err
		}
		for done := false; !done; {
			msgs, err := c.Read()
			if err != nil {
				return err
			}
			for _, m := range msgs {
				switch {
				case m.Seq == seq && m.Done:
					done = true
				case m.Seq == seq && m.Errno < 0:
					return fmt.Errorf("rtnetlink dump: %w", m.Err())
				default:
					if dev, ok := fresh.Apply(m); ok && m.Seq == 0 && changed != nil {
						devs = append(devs, dev)
					}
				}
			}
		}
	}
	t.mu.Lock()
	t.links, t.addrs = fresh.links, fresh.addrs
	t.mu.Unlock()
	for _, d := range devs {
		changed(d)
	}
	return nil
}

// Load fills t with the current devices and addresses, on a socket it closes.
func (t *Table) Load(dial func() (*Conn, error)) error {
	c, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	return t.sync(c, nil)
}

// Watch keeps t current until ctx ends: a dump, then the kernel's notifications.
// ready is called once the first dump is in; changed is called with the device
// whose addresses changed, as each notification arrives.
func (t *Table) Watch(ctx context.Context, dial func() (*Conn, error), ready func(), changed func(device string)) error {
	c, err := dial()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	if err := t.sync(c, changed); err != nil {
		return ctxErr(ctx, err)
	}
	ready()
	for {
		msgs, err := c.Read()
		if errors.Is(err, ErrOverrun) {
			// Lost notifications: the table may be stale; read it anew and
			// let every watcher look again.
			if err := t.sync(c, nil); err != nil {
				return ctxErr(ctx, err)
			}
			changed("")
			continue
		}
		if err != nil {
			return ctxErr(ctx, err)
		}
		for _, m := range msgs {
			if dev, ok := t.Apply(m); ok {
				changed(dev)
			}
		}
	}
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
