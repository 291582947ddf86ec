// Package ini reads INI files as Python's configparser does with its defaults,
// which is how the original DDNS Updater read /etc/ddns-updater/ddns.conf:
// "key = value" or "key: value", names of options in any case, full-line "#"
// and ";" comments, indented continuation lines, a [DEFAULT] section whose
// options every section has, and "%%" and "%(name)s" interpolation.
package ini

import (
	"fmt"
	"strings"
)

// File is a parsed INI file.
type File struct {
	Path     string
	Sections []*Section // in file order, without DEFAULT
}

// Section is one "[NAME]" block, with the options of DEFAULT it does not set.
type Section struct {
	Name    string
	Line    int
	Options []*Option
}

// Option is one key and its value, interpolated.
type Option struct {
	Name  string // lower case
	Value string
	Line  int
}

// Get returns the option called name (lower case), or nil.
func (s *Section) Get(name string) *Option {
	for _, o := range s.Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Error is a line the file cannot have.
type Error struct {
	Path   string
	Line   int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: line %d: %s", e.Path, e.Line, e.Reason) }

// Looks reports whether data reads as an INI file rather than UCI: its first
// line that is neither blank nor a comment opens a [section].
func Looks(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		return line[0] == '['
	}
	return false
}

// lineError is the error of line n; out of line, as Parse fails in many places.
//
//go:noinline
func lineError(path string, n int, format string, a ...any) error {
	return &Error{path, n, fmt.Sprintf(format, a...)}
}

// Parse reads an INI file; a line configparser refuses is an error naming it.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	var defaults, cur *Section
	var last *Option // the option a continuation line extends
	fail := func(n int, format string, a ...any) (*File, error) { return nil, lineError(path, n, format, a...) }
	seen := map[string]bool{}
	for i, raw := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			if line == "" {
				last = nil // a blank line ends a value (configparser would keep it when indented text follows; no DDNS option spans lines)
			}
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if last == nil {
				return fail(n, "indented line %q continues no option", line)
			}
			last.Value += "\n" + line
			continue
		}
		last = nil
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return fail(n, "%q opens a section without closing it", line)
			}
			name := line[1:end]
			if seen[name] {
				return fail(n, "section [%s] appears twice", name)
			}
			seen[name] = true
			cur = &Section{Name: name, Line: n}
			if name == "DEFAULT" {
				defaults = cur
			} else {
				f.Sections = append(f.Sections, cur)
			}
			continue
		}
		if cur == nil {
			return fail(n, "%q comes before any [section]", line)
		}
		k := strings.IndexAny(line, "=:")
		if k < 0 {
			return fail(n, "%q is not key = value", line)
		}
		name := strings.ToLower(strings.TrimSpace(line[:k]))
		if name == "" {
			return fail(n, "%q has no key", line)
		}
		if cur.Get(name) != nil {
			return fail(n, "option %s appears twice in [%s]", name, cur.Name)
		}
		last = &Option{Name: name, Value: strings.TrimSpace(line[k+1:]), Line: n}
		cur.Options = append(cur.Options, last)
	}
	for _, s := range f.Sections {
		if defaults != nil {
			for _, d := range defaults.Options {
				if s.Get(d.Name) == nil {
					s.Options = append(s.Options, &Option{Name: d.Name, Value: d.Value, Line: d.Line})
				}
			}
		}
		values := make([]string, len(s.Options)) // from the raw values, all of them
		for i, o := range s.Options {
			v, err := interpolate(s, o.Value, 0)
			if err != nil {
				return fail(o.Line, "[%s] option %s: %v", s.Name, o.Name, err)
			}
			values[i] = v
		}
		for i, o := range s.Options {
			o.Value = values[i]
		}
	}
	return f, nil
}

// interpolate resolves "%%" and "%(name)s" as configparser's BasicInterpolation.
func interpolate(s *Section, v string, depth int) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	if depth > 10 {
		return "", fmt.Errorf("interpolation nested too deep (a loop?)")
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		switch {
		case strings.HasPrefix(v[i:], "%%"):
			b.WriteByte('%')
			i++
		case strings.HasPrefix(v[i:], "%("):
			end := strings.Index(v[i:], ")s")
			if end < 0 {
				return "", fmt.Errorf("bad interpolation %q", v[i:])
			}
			name := strings.ToLower(v[i+2 : i+end])
			ref := s.Get(name)
			if ref == nil {
				return "", fmt.Errorf("%%(%s)s names no option of the section", name)
			}
			val, err := interpolate(s, ref.Value, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(val)
			i += end + 1
		default:
			return "", fmt.Errorf("a lone %% (write %%%% for a percent sign, as the original program required)")
		}
	}
	return b.String(), nil
}
