// Package uci reads OpenWrt UCI configuration files the way libuci does.
//
// The grammar, as libuci's parser implements it:
//
//	file    = { line }
//	line    = [ command { ";" command } ] [ "#" comment ] newline
//	command = "package" NAME | "config" TYPE [ NAME ] | "option" NAME VALUE | "list" NAME VALUE
//
// A word is a run of unquoted text, single-quoted text (taken literally, may span
// lines) and double-quoted text (a backslash takes the next character literally),
// concatenated without spaces between them, so that uci's own way of writing a
// quote inside a value reads back as one word:
//
//	option password 'it'\''s'
//
// Outside quotes a backslash takes the next character literally too, and a backslash at the
// end of a line joins the next line. "#" outside quotes starts a comment. Section
// and option names hold only letters, digits and "_".
//
// Semantics: a later option replaces an earlier one of the same name; a list item
// after an option of the same name turns it into a list holding both; an option
// set to the empty string is absent; two sections of the same name are merged.
package uci

import (
	"fmt"
	"strconv"
	"strings"
)

// File is a parsed UCI configuration file.
type File struct {
	Path     string
	Sections []*Section
}

// Section is one "config TYPE [NAME]" block.
type Section struct {
	Type      string
	Name      string // empty for an anonymous section
	Index     int    // position among the sections of the same type, as in @type[Index]
	Line      int
	Options   []*Option
	byOptName map[string]*Option
}

// Option is an "option" or the merged "list" lines of one name.
type Option struct {
	Name   string
	Values []string // one value for an option, the items for a list
	IsList bool
	Line   int // line of the last line that set it
}

// Ref returns how uci show names the section: NAME, or @TYPE[INDEX] when anonymous.
func (s *Section) Ref() string {
	if s.Name != "" {
		return s.Name
	}
	return "@" + s.Type + "[" + strconv.Itoa(s.Index) + "]"
}

// Get returns the option called name, or nil.
func (s *Section) Get(name string) *Option {
	return s.byOptName[name]
}

// With returns a copy of s with o added; an option of the same name in s is replaced.
func (s *Section) With(o *Option) *Section {
	out := *s
	out.Options = make([]*Option, 0, len(s.Options)+1)
	for _, x := range s.Options {
		if x.Name != o.Name {
			out.Options = append(out.Options, x)
		}
	}
	out.Options = append(out.Options, o)
	out.byOptName = make(map[string]*Option, len(out.Options))
	for _, x := range out.Options {
		out.byOptName[x.Name] = x
	}
	return &out
}

// Add appends a section of type typ called name ("" for an anonymous one) and returns it.
func (f *File) Add(typ, name string, line int) *Section {
	s := &Section{Type: typ, Name: name, Index: len(f.SectionsOf(typ)), Line: line, byOptName: map[string]*Option{}}
	f.Sections = append(f.Sections, s)
	return s
}

// Set sets an option (list false) or a list to values, as uci set and add_list
// do; no values, or one empty value, removes it.
func (s *Section) Set(name string, list bool, line int, values ...string) {
	if s.byOptName == nil {
		s.byOptName = map[string]*Option{}
	}
	s.removeOption(name)
	if len(values) == 0 || !list && values[0] == "" {
		return
	}
	o := &Option{Name: name, Values: values, IsList: list, Line: line}
	s.Options = append(s.Options, o)
	s.byOptName[name] = o
}

// Format writes f as `uci export` does: every value in single quotes, a single
// quote inside one closed, escaped and reopened, as in the package comment.
func Format(f *File) string {
	var b strings.Builder
	quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
	for i, s := range f.Sections {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("config " + s.Type)
		if s.Name != "" {
			b.WriteString(" " + quote(s.Name))
		}
		b.WriteByte('\n')
		for _, o := range s.Options {
			for _, v := range o.Values {
				kind := "option"
				if o.IsList {
					kind = "list"
				}
				b.WriteString("\t" + kind + " " + o.Name + " " + quote(v) + "\n")
			}
		}
	}
	return b.String()
}

// Value returns the single value of an option (the last item of a list) and whether it is set.
func (s *Section) Value(name string) (string, bool) {
	o := s.Get(name)
	if o == nil || len(o.Values) == 0 {
		return "", false
	}
	return o.Values[len(o.Values)-1], true
}

// SectionsOf returns the sections of the given type in file order.
func (f *File) SectionsOf(typ string) []*Section {
	var out []*Section
	for _, s := range f.Sections {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// ParseError is a syntax error; the whole file is rejected, as libuci does.
type ParseError struct {
	Path   string
	Line   int // 1-based
	Byte   int // offset in the line, as libuci counts it
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: line %d, byte %d: parse error: %s", e.Path, e.Line, e.Byte, e.Reason)
}

// Parse parses the UCI text data; path is used in errors only.
func Parse(path string, data []byte) (*File, error) {
	p := &parser{path: path, data: data, line: 1, f: &File{Path: path}}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.f, nil
}

type parser struct {
	path      string
	data      []byte
	pos       int // absolute offset
	lineStart int // offset of the current line's first byte
	line      int
	f         *File
	cur       *Section
	typeCount map[string]int
}

func (p *parser) fail(reason string) error {
	return &ParseError{Path: p.path, Line: p.line, Byte: p.pos - p.lineStart, Reason: reason}
}

func (p *parser) peek() byte {
	if p.pos >= len(p.data) {
		return 0
	}
	return p.data[p.pos]
}

// newline consumes a '\n' at pos and starts a new line.
func (p *parser) newline() {
	p.pos++
	p.line++
	p.lineStart = p.pos
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
		p.pos++
	}
}

// atEnd reports whether the current command ends here: end of line, comment or ';'.
func (p *parser) atEnd() bool {
	c := p.peek()
	return p.pos >= len(p.data) || c == '\n' || c == '#' || c == ';'
}

func (p *parser) run() error {
	for p.pos < len(p.data) {
		p.skipSpace()
		switch c := p.peek(); {
		case p.pos >= len(p.data):
			return nil
		case c == '\n':
			p.newline()
			continue
		case c == '#':
			p.skipComment()
			continue
		case c == ';':
			p.pos++
			continue
		}
		if err := p.command(); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) skipComment() {
	for p.pos < len(p.data) && p.data[p.pos] != '\n' {
		p.pos++
	}
}

// endCommand checks that nothing but space, a comment or ';' follows.
func (p *parser) endCommand() error {
	p.skipSpace()
	if !p.atEnd() {
		return p.fail("too many arguments")
	}
	if p.peek() == '#' {
		p.skipComment()
	}
	if p.peek() == '\n' {
		p.newline()
	} else if p.peek() == ';' {
		p.pos++
	}
	return nil
}

func (p *parser) command() error {
	start := p.pos
	word, err := p.word()
	if err != nil {
		return err
	}
	p.skipSpace()
	switch word {
	case "package":
		if _, err := p.word(); err != nil {
			return err
		}
		return p.endCommand()
	case "config":
		return p.config(start)
	case "option", "list":
		if p.cur == nil {
			p.pos = start
			return p.fail("option/list command found before the first section")
		}
		return p.option(word == "list")
	}
	p.pos = start
	return p.fail("invalid command")
}

func (p *parser) config(start int) error {
	if p.atEnd() {
		p.pos = p.lineStart // libuci reports a missing type at the line start
		return p.fail("invalid command")
	}
	typ, err := p.word()
	if err != nil {
		return err
	}
	p.skipSpace()
	var name string
	if !p.atEnd() {
		if name, err = p.word(); err != nil {
			return err
		}
	}
	line := p.line
	if err := p.endCommand(); err != nil {
		return err
	}
	if !validType(typ) {
		return p.failAtPrevLine("invalid character in section type")
	}
	if name != "" && !validName(name) {
		return p.failAtPrevLine("invalid character in name field")
	}
	if p.typeCount == nil {
		p.typeCount = map[string]int{}
	}
	if name != "" {
		for _, s := range p.f.Sections {
			if s.Name == name {
				if s.Type != typ {
					return p.failAtPrevLine(fmt.Sprintf("section %q of type %q redefined with type %q", name, s.Type, typ))
				}
				p.cur = s
				return nil
			}
		}
	}
	s := &Section{Type: typ, Name: name, Index: p.typeCount[typ], Line: line, byOptName: map[string]*Option{}}
	p.typeCount[typ]++
	p.f.Sections = append(p.f.Sections, s)
	p.cur = s
	return nil
}

// failAtPrevLine reports an error found after the line's newline was consumed,
// with libuci's position: the end of that line.
func (p *parser) failAtPrevLine(reason string) error {
	e := p.fail(reason).(*ParseError)
	if p.pos == p.lineStart && p.line > 1 && p.pos > 0 && p.data[p.pos-1] == '\n' {
		e.Line--
		prev := p.pos - 1
		for prev > 0 && p.data[prev-1] != '\n' {
			prev--
		}
		e.Byte = p.pos - prev
	}
	return e
}

func (p *parser) option(isList bool) error {
	name, err := p.word()
	if err != nil {
		return err
	}
	p.skipSpace()
	if !validName(name) {
		return p.fail("invalid character in name field")
	}
	var value string
	if !p.atEnd() {
		if value, err = p.word(); err != nil {
			return err
		}
	}
	line := p.line
	if err := p.endCommand(); err != nil {
		return err
	}
	s := p.cur
	o := s.byOptName[name]
	switch {
	case isList:
		if o == nil {
			o = &Option{Name: name}
			s.Options = append(s.Options, o)
			s.byOptName[name] = o
		}
		o.IsList = true
		o.Values = append(o.Values, value)
		o.Line = line
	case value == "":
		if o != nil {
			s.removeOption(name)
		}
	default:
		if o == nil {
			o = &Option{Name: name}
			s.Options = append(s.Options, o)
			s.byOptName[name] = o
		}
		o.IsList = false
		o.Values = []string{value}
		o.Line = line
	}
	return nil
}

func (s *Section) removeOption(name string) {
	delete(s.byOptName, name)
	for i, o := range s.Options {
		if o.Name == name {
			s.Options = append(s.Options[:i], s.Options[i+1:]...)
			return
		}
	}
}

// word reads one word: unquoted text and quoted strings, concatenated.
func (p *parser) word() (string, error) {
	var b []byte
	for {
		c := p.peek()
		switch {
		case p.pos >= len(p.data) || isSpace(c) || c == '\n' || c == ';':
			return string(b), nil
		case c == '#':
			return string(b), nil
		case c == '\'':
			p.pos++
			for {
				if p.pos >= len(p.data) {
					return "", p.failAtPrevLine("EOF with unterminated '")
				}
				c := p.data[p.pos]
				if c == '\'' {
					p.pos++
					break
				}
				b = append(b, c)
				if c == '\n' {
					p.newline()
				} else {
					p.pos++
				}
			}
		case c == '"':
			p.pos++
			for {
				if p.pos >= len(p.data) {
					return "", p.failAtPrevLine("EOF with unterminated \"")
				}
				c := p.data[p.pos]
				if c == '"' {
					p.pos++
					break
				}
				if c == '\\' {
					b = p.backslash(b)
					continue
				}
				b = append(b, c)
				if c == '\n' {
					p.newline()
				} else {
					p.pos++
				}
			}
		case c == '\\':
			b = p.backslash(b)
		default:
			b = append(b, c)
			p.pos++
		}
	}
}

// backslash handles '\' at pos: before a line end it joins the next line,
// otherwise the next character is taken literally.
func (p *parser) backslash(b []byte) []byte {
	p.pos++
	switch {
	case p.pos >= len(p.data):
		return b
	case p.data[p.pos] == '\n':
		p.newline()
		return b
	case p.data[p.pos] == '\r' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '\n':
		p.pos++
		p.newline()
		return b
	}
	b = append(b, p.data[p.pos]) // not a line end: that case returned above
	p.pos++
	return b
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func validType(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
