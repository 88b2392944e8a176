package oneroster

import (
	"fmt"
	"strconv"
)

// Problem is one thing wrong with a set, at a file's line when it has one:
// `enrollments.csv:118: enrollment references unknown class "c-77"`.
type Problem struct {
	File    string // "users.csv", or the set's name for the set as a whole
	Line    int    // 1 is the header; 0: the file as a whole
	Message string
}

// Error implements error: a Problem that stops a set from being read at
// all (a truncated zip) is returned as one.
func (p *Problem) Error() string { return p.String() }

// String is the problem as a report line.
func (p *Problem) String() string {
	switch {
	case p.File == "":
		return p.Message
	case p.Line == 0:
		return p.File + ": " + p.Message
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Message
}

// MaxProblemsPerFile is how many problems a file may have before reading
// it stops: a file that wrong is the wrong file, and reading on would only
// bury the first problems.
const MaxProblemsPerFile = 50

// problems collects the problems of a set.
type problems struct {
	list []Problem
}

func (ps *problems) add(file string, line int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}
