// Every op family's converters, registered on import.
import './activations.ts';
import './conv.ts';
import './elementwise.ts';
import './gemm.ts';
import './misc.ts';
import './norm.ts';
import './pooling.ts';
import './reduce.ts';
import './shape.ts';
