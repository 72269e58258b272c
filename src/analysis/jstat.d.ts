/** The part of jStat (https://github.com/jstat/jstat, MIT) that Uptake uses; jStat ships no types. */
declare module 'jstat' {
  interface StudentT {
    /** Cumulative distribution function of Student's t with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** Quantile (inverse CDF) of Student's t. */
    inv(p: number, dof: number): number;
  }
  const jstat: { jStat: { studentt: StudentT } };
  export default jstat;
}
