package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// hostile holds strings that are hard to write as JSON or dangerous to
// paste into HTML or a terminal.
var hostile = []string{
	"",
	"plain",
	`"quoted" \back\slash/ /`,
	"</script><script>alert(1)</script>",
	"a & b &amp; <!-- -->",
	"\x00\x01\x07\b\f\n\r\t\x1b[31m\x1f\x7f",
	"line\u2028separator\u2029paragraph",
	"é ü 日本 🙂",
	"\ufffd is a real replacement character",
	"\xff\xfe invalid",
	"cut \xe2\x82",
	"\xed\xa0\x80 surrogate half",
	"\xc0\xaf overlong slash",
	"\xf4\x90\x80\x80 above U+10FFFF",
	"\u0085\u009b C1 controls",
	"\\u003c already escaped",
	strings.Repeat("<&>", 100),
}

// wantDecoded is what s reads back as: each byte that is not part of valid
// UTF-8 becomes U+FFFD, as encoding/json does.
func wantDecoded(s string) string { return string([]rune(s)) }

func TestAppendStringDecodes(t *testing.T) {
	for _, s := range hostile {
		out := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("AppendString(%q) = %s; json.Unmarshal: %v", s, out, err)
			continue
		}
		if want := wantDecoded(s); got != want {
			t.Errorf("json.Unmarshal(AppendString(%q)) = %q; want %q", s, got, want)
		}
		if msg := unsafeByte(out); msg != "" {
			t.Errorf("AppendString(%q) = %q; %s", s, out, msg)
		}
	}
}

// unsafeByte describes the first thing in a JSON string that must have
// been escaped, or returns "".
func unsafeByte(out []byte) string {
	inner := out[1 : len(out)-1]
	switch {
	case !utf8.Valid(out):
		return "not valid UTF-8"
	case bytes.ContainsAny(inner, "<>&"):
		return `holds a raw "<", ">" or "&"`
	case bytes.ContainsAny(out, "\u2028\u2029"):
		return "holds a raw U+2028 or U+2029"
	}
	for _, r := range string(out) {
		if r < 0x20 || r >= 0x7f && r < 0xa0 {
			return "holds a raw control character"
		}
	}
	return ""
}

func TestAppendStringExact(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"abc", `"abc"`},
		{`"`, `"\""`},
		{`\`, `"\\"`},
		{"/", `"/"`},
		{"\n\r\t", `"\n\r\t"`},
		{"\x00", `"\u0000"`},
		{"\x1f", `"\u001f"`},
		{"\x7f", `"\u007f"`},
		{"<", `"\u003c"`},
		{">", `"\u003e"`},
		{"&", `"\u0026"`},
		{"\u2028", `"\u2028"`},
		{"\u2029", `"\u2029"`},
		{"\u0085", `"\u0085"`},
		{"\u009f", `"\u009f"`},
		{"\u00a0", "\"\u00a0\""},
		{"\xff", `"\ufffd"`},
		{"a\xffb\xfec", `"a\ufffdb\ufffdc"`},
		{"é", `"é"`},
		{"\ufffd", "\"\ufffd\""},
		{"🙂", `"🙂"`},
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendString(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestAppendStringAppends(t *testing.T) {
	buf := make([]byte, 0, 64)
	buf = append(buf, "prefix:"...)
	got := string(AppendString(buf, "<x>"))
	if want := `prefix:"\u003cx\u003e"`; got != want {
		t.Errorf("AppendString(%q, %q) = %s; want %s", "prefix:", "<x>", got, want)
	}
}

func TestObject(t *testing.T) {
	var o Object
	o.String("msg", "</script>\u2028").
		Int("min", math.MinInt64).
		Int("max", math.MaxInt64).
		Int("zero", 0).
		Bool("yes", true).
		Bool("no", false).
		Raw("raw", []byte(`{"a":[1,2]}`)).
		String("k\"ey<&>", "\xff")
	out := o.Bytes()

	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	want := map[string]any{
		"msg":      "</script>\u2028",
		"min":      json.Number("-9223372036854775808"),
		"max":      json.Number("9223372036854775807"),
		"zero":     json.Number("0"),
		"yes":      true,
		"no":       false,
		"raw":      map[string]any{"a": []any{json.Number("1"), json.Number("2")}},
		"k\"ey<&>": "\ufffd",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Object mismatch (-want +got):\n%s", diff)
	}
	if bytes.ContainsAny(out, "<>") {
		t.Errorf("Object = %s; holds a raw \"<\" or \">\"", out)
	}
}

func TestObjectShapes(t *testing.T) {
	tests := []struct {
		name  string
		build func(*Object)
		want  string
	}{
		{"empty", func(*Object) {}, `{}`},
		{"one", func(o *Object) { o.Int("n", 1) }, `{"n":1}`},
		{"two", func(o *Object) { o.Bool("a", true).String("b", "") }, `{"a":true,"b":""}`},
		{"empty key", func(o *Object) { o.Int("", -1) }, `{"":-1}`},
		{"raw null", func(o *Object) { o.Raw("r", []byte("null")) }, `{"r":null}`},
	}
	for _, tt := range tests {
		var o Object
		tt.build(&o)
		if got := string(o.Bytes()); got != tt.want {
			t.Errorf("%s: Bytes() = %s; want %s", tt.name, got, tt.want)
		}
		if !json.Valid([]byte(tt.want)) {
			t.Errorf("%s: %s is not valid JSON", tt.name, tt.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s; json.Unmarshal: %v", s, out, err)
		}
		if want := wantDecoded(s); got != want {
			t.Fatalf("json.Unmarshal(AppendString(%q)) = %q; want %q", s, got, want)
		}
		if msg := unsafeByte(out); msg != "" {
			t.Fatalf("AppendString(%q) = %q; %s", s, out, msg)
		}

		// Valid UTF-8 without anything to escape is written as is.
		if utf8.ValidString(s) && !strings.ContainsFunc(s, needsEscape) {
			if want := `"` + s + `"`; string(out) != want {
				t.Fatalf("AppendString(%q) = %s; want %s", s, out, want)
			}
		}
	})
}

func needsEscape(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || strings.ContainsRune("\"\\<>&\u2028\u2029", r)
}
