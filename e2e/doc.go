// Package e2e deploys the example riglets for real, offline: the Makefile's targets drive
// the real AWS CLI against moto_server, an AWS API emulator started on 127.0.0.1, and the
// tests assert on what the emulator then holds and on the AWS CLI calls made. TestTwig
// drives every target on twig; TestDocsWalkthrough runs docs/deploy.md's moto walkthrough
// as written (all three example riglets, from an empty account to deleted) and checks what
// moto holds at the walkthrough's `<!-- e2e: NAME -->` checkpoints.
//
// The tests are behind the e2e build tag, so that `go test ./...` (make test) stays fast;
// run them with `make e2e` (go test -tags e2e ./e2e/), which `make check` does after the
// oracle tests. They need python3 with moto (and its server extras) and an AWS CLI; they
// fail, saying what is missing, rather than skip (.ci/run installs them).
//
// testdata/moto_server.py starts moto_server with the fixes its CloudFormation needs to
// behave as AWS does for change sets (what `aws cloudformation deploy` uses); each fix is
// described there.
package e2e
