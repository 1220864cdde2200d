var part10 = 10; function f10() { return part10; }
