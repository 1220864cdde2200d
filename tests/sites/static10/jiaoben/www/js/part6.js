var part6 = 6; function f6() { return part6; }
