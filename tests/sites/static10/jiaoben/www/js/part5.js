var part5 = 5; function f5() { return part5; }
