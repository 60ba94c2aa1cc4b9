// deploy-lint checks deployment files with the parsers the real tools use, offline:
//
//	deploy-lint compose <file> [override...]   load, merge and validate with compose-go (the
//	                                           loader of `docker compose`), print the model as JSON
//	deploy-lint dockerfile <Dockerfile>...     parse with BuildKit's Dockerfile frontend, print
//	                                           the stages and their instructions as JSON
//
// Neither needs a Docker engine. Policy checks on the JSON live in the TypeScript runner.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: deploy-lint compose <file> [override...] | dockerfile <file>...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "compose":
		err = compose(os.Args[2:])
	case "dockerfile":
		err = dockerfiles(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy-lint:", err)
		os.Exit(1)
	}
}

func compose(files []string) error {
	var abs []string
	for _, file := range files {
		a, err := filepath.Abs(file)
		if err != nil {
			return err
		}
		abs = append(abs, a)
	}
	// No OS environment: the files must be complete on their own (their ${VAR:-default} defaults
	// apply). Relative paths resolve against the first file's folder, as docker compose does.
	opts, err := cli.NewProjectOptions(abs,
		cli.WithWorkingDirectory(filepath.Dir(abs[0])),
		cli.WithName("simstream"),
		cli.WithResolvedPaths(false),
	)
	if err != nil {
		return err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}

type instructionOut struct {
	Line int    `json:"line"`
	Name string `json:"name"`
	Text string `json:"text"`
}

type stageOut struct {
	Name         string           `json:"name"`
	BaseName     string           `json:"baseName"`
	Instructions []instructionOut `json:"instructions"`
}

type metaArg struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

type dockerfileOut struct {
	File     string     `json:"file"`
	MetaArgs []metaArg  `json:"metaArgs"`
	Stages   []stageOut `json:"stages"`
	Warnings []string   `json:"warnings"`
}

func dockerfiles(files []string) error {
	var outs []dockerfileOut
	for _, file := range files {
		out, err := dockerfile(file)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		outs = append(outs, out)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(outs)
}

func dockerfile(file string) (dockerfileOut, error) {
	out := dockerfileOut{File: file, MetaArgs: []metaArg{}, Stages: []stageOut{}, Warnings: []string{}}
	f, err := os.Open(file)
	if err != nil {
		return out, err
	}
	defer f.Close()
	result, err := parser.Parse(f)
	if err != nil {
		return out, err
	}
	for _, w := range result.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: %s", line, w.Short))
	}
	stages, metaArgs, err := instructions.Parse(result.AST, nil)
	if err != nil {
		return out, err
	}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			out.MetaArgs = append(out.MetaArgs, metaArg{Key: kv.Key, Value: kv.Value})
		}
	}
	for _, s := range stages {
		st := stageOut{Name: s.Name, BaseName: s.BaseName, Instructions: []instructionOut{}}
		for _, cmd := range s.Commands {
			line := 0
			if loc := cmd.Location(); len(loc) > 0 {
				line = loc[0].Start.Line
			}
			st.Instructions = append(st.Instructions, instructionOut{Line: line, Name: cmd.Name(), Text: fmt.Sprint(cmd)})
		}
		out.Stages = append(out.Stages, st)
	}
	return out, nil
}
