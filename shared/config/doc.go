// Package config reads the gate's settings from the Worker's variables and
// secrets into a typed [Config], once per isolate.
//
// [Parse] checks every variable and reports every problem in one [Error], so
// an operator fixes a deployment in one pass rather than one variable per
// deploy. Problems name the variable and say what is wrong; they never
// repeat the value of a secret.
package config
