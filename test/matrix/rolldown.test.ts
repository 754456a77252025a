import { describeMatrix } from '../utils/matrix.js'

describeMatrix('rolldown')
