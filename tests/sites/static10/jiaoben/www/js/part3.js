var part3 = 3; function f3() { return part3; }
